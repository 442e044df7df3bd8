/**
 * `egide admin …`: embassies, organisations, invitations and user accounts, for
 * administrators, on the SDK's AdminApi with the cached session. The server decides who
 * may do what (a non-admin gets 403, exit 4); this module only shapes requests and
 * output. The invitation code is printed once, by `admin invite`, and nowhere else.
 *
 * Updates send the version they are based on: `--version N` (what `show` printed), or else
 * the version read just before the update (read-then-update), so that a change made by
 * another administrator in between is refused (409 conflict, reason stale-version, exit 6), never
 * silently overwritten.
 */
import { Option, type Command } from 'commander';
import { KEY_HOLDING_ROLES, ROLES, type Role } from '../../contract/roles';
import type { EmbassyResponse } from '../../users/dto/embassy.response';
import type { InvitationResponse } from '../../users/dto/invitation.response';
import type { OrganisationResponse } from '../../users/dto/organisation.response';
import type { UserResponse } from '../../users/dto/user.response';
import type { UserStatus } from '../../contract/roles';
import { CliError, ExitCode } from '../exit-codes';
import { renderFields, type TableColumn } from '../output';
import type { ContextOf } from './account.commands';
import { parseCountryCode, parsePositiveInteger } from './option-parsers';
import type { EgideSession } from '../../client/egide-session';

interface PageOptions {
  limit?: number;
  cursor?: string;
}

interface ScopeOptions {
  embassy?: string;
  org?: string;
}

interface VersionOption {
  version?: number;
}

const VERSION_HELP = 'the version the change is based on (as `show` printed it); by default, the current one, read first';

/** The version given, or the current one read just before the update. */
async function basedOn(option: VersionOption, read: () => Promise<{ version: number }>): Promise<number> {
  return option.version ?? (await read()).version;
}

/** Typed against the entity's union, not imported from it: that would load TypeORM into the CLI. */
const USER_STATUSES: readonly UserStatus[] = ['ACTIVE', 'DISABLED'];

function withPaging(command: Command): Command {
  return command.option('--limit <n>', 'items per page', parsePositiveInteger).option('--cursor <cursor>', 'the page after this cursor');
}

function scopeText(scope: { type: string; id: string | null }): string {
  return scope.id === null ? scope.type : `${scope.type} ${scope.id}`;
}

function scopeIds(options: ScopeOptions): { embassyId?: string; organisationId?: string } {
  if (options.embassy !== undefined && options.org !== undefined) throw new CliError('give --embassy or --org, not both', ExitCode.Usage);
  return { embassyId: options.embassy, organisationId: options.org };
}

function atLeastOne<T extends object>(update: T): T {
  if (Object.values(update).every((value) => value === undefined)) throw new CliError('nothing to update: give at least one field option', ExitCode.Usage);
  return update;
}

const EMBASSY_COLUMNS: TableColumn<EmbassyResponse>[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'NAME', value: (row) => row.name },
  { header: 'COUNTRY', value: (row) => row.country },
  { header: 'CITY', value: (row) => row.city },
];

const ORGANISATION_COLUMNS: TableColumn<OrganisationResponse>[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'NAME', value: (row) => row.name },
  { header: 'COUNTRY', value: (row) => row.country },
];

const INVITATION_COLUMNS: TableColumn<InvitationResponse>[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'EMAIL', value: (row) => row.email },
  { header: 'ROLE', value: (row) => row.role },
  { header: 'SCOPE', value: (row) => scopeText(row.scope) },
  { header: 'EXPIRES', value: (row) => row.expiresAt },
  { header: 'NAME', value: (row) => row.displayName ?? '' },
];

const USER_COLUMNS: TableColumn<UserResponse>[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'EMAIL', value: (row) => row.email },
  { header: 'ROLE', value: (row) => row.role },
  { header: 'SCOPE', value: (row) => scopeText(row.scope) },
  { header: 'STATUS', value: (row) => row.status },
  { header: 'MFA', value: (row) => (row.mfaEnabled ? 'yes' : 'no') },
];

function embassyFields(embassy: EmbassyResponse): string {
  return renderFields([
    ['Id', embassy.id],
    ['Name', embassy.name],
    ['Country', embassy.country],
    ['City', embassy.city],
    ['Updated', embassy.updatedAt],
    ['Version', String(embassy.version)],
  ]);
}

function organisationFields(organisation: OrganisationResponse): string {
  return renderFields([
    ['Id', organisation.id],
    ['Name', organisation.name],
    ['Country', organisation.country],
    ['Updated', organisation.updatedAt],
    ['Version', String(organisation.version)],
  ]);
}

function userFields(user: UserResponse): string {
  return renderFields([
    ['Id', user.id],
    ['Name', user.displayName ?? '-'],
    ['E-mail', user.email],
    ['Role', user.role],
    ['Scope', scopeText(user.scope)],
    ['Status', user.status],
    ['MFA', user.mfaEnabled ? 'active' : 'not active'],
    ['Locked until', user.lockedUntil ?? '-'],
    ['Fingerprint', user.fingerprint],
    ['Created', user.createdAt],
    ['Version', String(user.version)],
  ]);
}

function userVersion(session: EgideSession, id: string, option: VersionOption): Promise<number> {
  return basedOn(option, () => session.admin.getUser(id));
}

export function registerAdminCommands(program: Command, contextOf: ContextOf): void {
  const admin = program.command('admin').description('administration (ADMIN only): embassies, organisations, invitations, users');

  const embassy = admin.command('embassy').description('embassies');
  embassy
    .command('create')
    .description('create an embassy')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code', parseCountryCode)
    .requiredOption('--city <city>', 'its city')
    .action(async (options: { name: string; country: string; city: string }, command: Command) => {
      const context = contextOf(command);
      const created = await context.withSession((session) => session.admin.createEmbassy(options));
      context.output.result(created, () => embassyFields(created));
    });
  withPaging(embassy.command('list').description('list embassies')).action(async (options: PageOptions, command: Command) => {
    const context = contextOf(command);
    const page = await context.withSession((session) => session.admin.listEmbassies(options));
    context.output.list(page, EMBASSY_COLUMNS, 'No embassies.');
  });
  embassy
    .command('show')
    .description('show an embassy')
    .argument('<id>', 'embassy id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const found = await context.withSession((session) => session.admin.getEmbassy(id));
      context.output.result(found, () => embassyFields(found));
    });
  embassy
    .command('update')
    .description('change an embassy’s name, country or city')
    .argument('<id>', 'embassy id')
    .option('--name <name>', 'new name')
    .option('--country <code>', 'new country code', parseCountryCode)
    .option('--city <city>', 'new city')
    .option('--version <n>', VERSION_HELP, parsePositiveInteger)
    .action(async (id: string, options: VersionOption & { name?: string; country?: string; city?: string }, command: Command) => {
      const context = contextOf(command);
      const update = atLeastOne({ name: options.name, country: options.country, city: options.city });
      const updated = await context.withSession(async (session) =>
        session.admin.updateEmbassy(id, { ...update, version: await basedOn(options, () => session.admin.getEmbassy(id)) }),
      );
      context.output.result(updated, () => embassyFields(updated));
    });

  const org = admin.command('org').description('organisations (NGOs)');
  org
    .command('create')
    .description('create an organisation')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code', parseCountryCode)
    .action(async (options: { name: string; country: string }, command: Command) => {
      const context = contextOf(command);
      const created = await context.withSession((session) => session.admin.createOrganisation(options));
      context.output.result(created, () => organisationFields(created));
    });
  withPaging(org.command('list').description('list organisations')).action(async (options: PageOptions, command: Command) => {
    const context = contextOf(command);
    const page = await context.withSession((session) => session.admin.listOrganisations(options));
    context.output.list(page, ORGANISATION_COLUMNS, 'No organisations.');
  });
  org
    .command('show')
    .description('show an organisation')
    .argument('<id>', 'organisation id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const found = await context.withSession((session) => session.admin.getOrganisation(id));
      context.output.result(found, () => organisationFields(found));
    });
  org
    .command('update')
    .description('change an organisation’s name or country')
    .argument('<id>', 'organisation id')
    .option('--name <name>', 'new name')
    .option('--country <code>', 'new country code', parseCountryCode)
    .option('--version <n>', VERSION_HELP, parsePositiveInteger)
    .action(async (id: string, options: VersionOption & { name?: string; country?: string }, command: Command) => {
      const context = contextOf(command);
      const update = atLeastOne({ name: options.name, country: options.country });
      const updated = await context.withSession(async (session) =>
        session.admin.updateOrganisation(id, { ...update, version: await basedOn(options, () => session.admin.getOrganisation(id)) }),
      );
      context.output.result(updated, () => organisationFields(updated));
    });

  admin
    .command('invite')
    .description('invite a user; the invitation code is printed once, to hand over out of band')
    .argument('<email>', 'the invitee’s e-mail address')
    .addOption(new Option('--role <role>', 'their role').choices(ROLES).makeOptionMandatory())
    .option('--embassy <id>', 'the embassy (EMBASSY_CONTACT)')
    .option('--org <id>', 'the organisation (NGO)')
    .option('--name <display-name>', 'the name shown wherever they appear, e.g. "Amina Wanjiru" (clear, at most 100 characters)')
    .action(async (email: string, options: ScopeOptions & { role: Role; name?: string }, command: Command) => {
      const context = contextOf(command);
      const body = { email, displayName: options.name, role: options.role, ...scopeIds(options) };
      const created = await context.withSession((session) => session.admin.invite(body));
      context.output.result(created, () =>
        renderFields([
          ['Invitation', created.id],
          ['For', `${created.displayName === null ? created.email : `${created.displayName} <${created.email}>`} (${created.role}, ${scopeText(created.scope)})`],
          ['Expires', created.expiresAt],
          ['Code', created.code],
        ]),
      );
      context.output.note('Hand the code over out of band; it is not shown again. The invitee runs `egide enrol`.');
      if (KEY_HOLDING_ROLES.includes(created.role) && created.scopeHasTeam !== true) {
        context.output.note(
          [
            `Note: ${scopeText(created.scope)} has no team key yet. The first member to enrol and run \`egide team create\``,
            'founds the team, and nobody vouches for them: they decide who is granted the key next. Make sure this',
            'invitation reaches the right person, over a channel you trust.',
          ].join('\n'),
        );
      }
    });

  withPaging(admin.command('invitations').description('list open invitations (never their codes)')).action(async (options: PageOptions, command: Command) => {
    const context = contextOf(command);
    const page = await context.withSession((session) => session.admin.listInvitations(options));
    context.output.list(page, INVITATION_COLUMNS, 'No open invitations.');
  });

  admin
    .command('withdraw')
    .description('withdraw an open invitation')
    .argument('<invitation-id>', 'invitation id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      await context.withSession((session) => session.admin.withdrawInvitation(id));
      context.output.result({ withdrawn: id }, () => `Invitation ${id} withdrawn.`);
    });

  const user = admin.command('user').description('user accounts');
  withPaging(
    user
      .command('list')
      .description('list user accounts')
      .addOption(new Option('--role <role>', 'only this role').choices(ROLES))
      .addOption(new Option('--status <status>', 'only this status').choices(USER_STATUSES))
      .option('--embassy <id>', 'only this embassy')
      .option('--org <id>', 'only this organisation'),
  ).action(async (options: PageOptions & ScopeOptions & { role?: Role; status?: UserStatus }, command: Command) => {
    const context = contextOf(command);
    const query = { limit: options.limit, cursor: options.cursor, role: options.role, status: options.status, ...scopeIds(options) };
    const page = await context.withSession((session) => session.admin.listUsers(query));
    context.output.list(page, USER_COLUMNS, 'No users.');
  });
  user
    .command('show')
    .description('show a user account')
    .argument('<id>', 'user id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const found = await context.withSession((session) => session.admin.getUser(id));
      context.output.result(found, () => userFields(found));
    });
  user
    .command('disable')
    .description('disable an account; its sessions end at once')
    .argument('<id>', 'user id')
    .option('--version <n>', VERSION_HELP, parsePositiveInteger)
    .action(async (id: string, options: VersionOption, command: Command) => {
      const context = contextOf(command);
      const updated = await context.withSession(async (session) => session.admin.disableUser(id, { version: await userVersion(session, id, options) }));
      context.output.result(updated, () => userFields(updated));
    });
  user
    .command('enable')
    .description('enable a disabled account')
    .argument('<id>', 'user id')
    .option('--version <n>', VERSION_HELP, parsePositiveInteger)
    .action(async (id: string, options: VersionOption, command: Command) => {
      const context = contextOf(command);
      const updated = await context.withSession(async (session) => session.admin.enableUser(id, { version: await userVersion(session, id, options) }));
      context.output.result(updated, () => userFields(updated));
    });
  user
    .command('role')
    .description('change an account’s role or scope; its sessions end at once')
    .argument('<id>', 'user id')
    .addOption(new Option('--role <role>', 'the new role').choices(ROLES).makeOptionMandatory())
    .option('--embassy <id>', 'the embassy (EMBASSY_CONTACT)')
    .option('--org <id>', 'the organisation (NGO)')
    .option('--version <n>', VERSION_HELP, parsePositiveInteger)
    .action(async (id: string, options: ScopeOptions & VersionOption & { role: Role }, command: Command) => {
      const context = contextOf(command);
      const body = { role: options.role, ...scopeIds(options) };
      const updated = await context.withSession(async (session) => session.admin.changeUserRole(id, { ...body, version: await userVersion(session, id, options) }));
      context.output.result(updated, () => userFields(updated));
    });
}
