/**
 * `egide case …`: defender cases of the signed-in contact's embassy, on the SDK's case
 * flows (src/client/case-flow.ts), which seal, sign, wrap and verify on this machine.
 * `create`, `update`, `event` and `dupes` take sealed content from a JSON file or from
 * prompts, never from options; `list` shows clear fields only; `show` prints the case
 * after its signature verified and its fields opened; `transfer` seals the case key to
 * the receiving embassy only under the team fingerprint the user typed, and `shred`
 * only after the user typed the confirmation.
 *
 * Decrypted content goes to stdout only from `show` (the command exists to show it);
 * nothing here writes it anywhere else, and team keys are wiped once a command is done.
 */
import { Argument, Option, type Command } from 'commander';
import { CASE_STATUSES, type CaseStatus } from '../../contract/case-vocabulary';
import {
  CASE_REFERENCE,
  DEFENDER_GROUPS,
  MEMBER_EVENT_TYPES,
  RISK_LEVELS,
  shredConfirmation,
  THREAT_TYPES,
  TRANSFER_OVERRIDE_REASONS,
  type DefenderGroup,
  type MemberEventType,
  type RiskLevel,
  type ThreatType,
  type TransferOverrideReason,
} from '../../contract/case-vocabulary';
import type { CaseSummaryResponse } from '../../cases/dto/case.response';
import type { ListCasesQuery } from '../../cases/dto/list-cases.dto';
import {
  addCaseEvent,
  assignCase,
  CaseShreddedError,
  createCase,
  EgideApiError,
  findCaseByReference,
  findDuplicates,
  fingerprintsMatch,
  fromBase64Url,
  getCase,
  listCaseEvents,
  listCases,
  openMyTeamKeys,
  readyCrypto,
  reindexCase,
  setCaseStatus,
  shredCase,
  teamKeyFingerprint,
  transferCase,
  updateCase,
  type CaseUpdate,
  type EgideSession,
  type MyTeamKeys,
  type OpenedCaseEvent,
} from '../../client';
import type { CliContext } from '../cli-context';
import { CliError, ExitCode } from '../exit-codes';
import { renderFields, renderTable, type TableColumn } from '../output';
import type { ContextOf } from './account.commands';
import {
  parseCaseEvent,
  parseCaseUpdate,
  parseDuplicateProbe,
  parseNewCase,
  promptCaseEvent,
  promptDuplicateProbe,
  promptNewCase,
  readJsonFile,
} from './case-input';
import { memberLabel } from '../member-label';
import { CASE_COLUMNS, renderOpenedCase, renderTimeline } from './case-view';
import { commaSeparatedOf, parseCountryCode, parseInstant, parsePositiveInteger, parseYesNo } from './option-parsers';

/** The timeline is read in pages of the API's largest size. */
const EVENT_PAGE = 200;

interface FileOption {
  file?: string;
}

interface VersionOption {
  version?: number;
}

function requireEmbassy(session: EgideSession): void {
  if (session.user.role !== 'EMBASSY_CONTACT') throw new CliError(`${session.user.role} accounts have no cases: only embassy contacts do`, ExitCode.Refused);
}

/** The help text of every case argument. */
const CASE_ARGUMENT = 'case id, or its reference (KE-2026-0042)';

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one place a case argument becomes a case id, for every command that takes one:
 * a UUID is used as it is, a reference (KE-2026-0042, any case) is looked up among the
 * embassy's cases (404, exit 5, when it is not one of them).
 */
async function resolveCaseId(session: EgideSession, idOrReference: string): Promise<string> {
  requireEmbassy(session);
  const given = idOrReference.trim();
  if (CASE_ID.test(given)) return given;
  const reference = given.toUpperCase();
  if (!CASE_REFERENCE.test(reference)) {
    throw new CliError(`${JSON.stringify(idOrReference)} is neither a case id (UUID) nor a case reference like KE-2026-0042`, ExitCode.InvalidInput);
  }
  return (await findCaseByReference(session, reference)).id;
}

/**
 * An illegal move, said the way a person thinks of it ("OPEN cannot move to CLOSED;
 * allowed: ASSESSING"), from the 409's `currentStatus` and `allowed` extensions.
 */
function illegalMove(error: unknown, to: CaseStatus): unknown {
  if (!(error instanceof EgideApiError) || error.status !== 409 || error.problem.reason !== 'illegal-transition') return error;
  const { currentStatus, allowed, requestId } = error.problem;
  if (typeof currentStatus !== 'string' || !Array.isArray(allowed)) return error;
  const moves = allowed.filter((status): status is string => typeof status === 'string');
  return new CliError(
    `${currentStatus} cannot move to ${to}; allowed: ${moves.length === 0 ? 'none' : moves.join(', ')}`,
    ExitCode.Conflict,
    typeof requestId === 'string' ? `  request id: ${requestId}` : undefined,
  );
}

function requireVersion(options: VersionOption): number {
  if (options.version === undefined) {
    throw new CliError('--version N is required: the version you based the change on (`egide case list` or `show` prints it)', ExitCode.Usage);
  }
  return options.version;
}

/** Opens the member's team keys once per command, and wipes them afterwards. */
async function withTeamKeys<T>(session: EgideSession, run: (teamKeys: MyTeamKeys) => Promise<T>): Promise<T> {
  requireEmbassy(session);
  const teamKeys = await openMyTeamKeys(session);
  try {
    return await run(teamKeys);
  } finally {
    for (const team of teamKeys.history) for (const secret of [team.seed, team.boxSecretKey, team.blindIndexKey, team.historyKey]) secret.fill(0);
  }
}

async function allEvents(session: EgideSession, caseId: string, teamKeys: MyTeamKeys): Promise<OpenedCaseEvent[]> {
  const events: OpenedCaseEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCaseEvents(session, caseId, { limit: EVENT_PAGE, cursor }, { teamKeys });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return events;
}

function summaryFields(summary: CaseSummaryResponse): string {
  return renderFields([
    ['Case', `${summary.reference} (${summary.id})`],
    ['Status', summary.shreddedAt === null ? summary.status : `${summary.status}, shredded ${summary.shreddedAt}`],
    ['Risk level', summary.riskLevel],
    ['Threat types', summary.threatTypes.join(', ') || '-'],
    ['Country', summary.countryOfActivity],
    ['Assigned to', summary.assignedToId ?? '-'],
    ['Next review', summary.nextReviewAt ?? '-'],
    ['Version', String(summary.version)],
  ]);
}

/** The names of the members pinned on this device, as of now (the session is locked after the command). */
function pinnedNames(session: EgideSession): (userId: string) => string | undefined {
  // A member pinned on first use is named as such: their fingerprint was never compared.
  const names = new Map(
    session.trust
      .members()
      .map((member) => [member.userId, `${memberLabel(member)}${member.verification === 'first-use' ? ' [first use: compare their fingerprint, `egide contacts verify`]' : ''}`]),
  );
  return (userId) => names.get(userId.toLowerCase());
}

/**
 * The receiving embassy's current team key as the directory shows it, its fingerprint
 * (computed here, not taken from the server), and whether this device already pinned it.
 */
async function directoryFingerprint(session: EgideSession, embassyId: string): Promise<{ generation: number; fingerprint: string; pinned: boolean }> {
  await readyCrypto();
  const directory = await session.keysApi.teamKey(embassyId);
  const fingerprint = teamKeyFingerprint(embassyId.toLowerCase(), directory.generation, fromBase64Url(directory.teamBoxPublicKey, 'teamBoxPublicKey'));
  const pinned = session.trust.teamKey(embassyId, directory.generation);
  return { generation: directory.generation, fingerprint, pinned: pinned !== undefined && pinned.teamBoxPublicKey === directory.teamBoxPublicKey };
}

const DUPLICATE_COLUMNS: TableColumn<{ caseId: string; reference: string; fieldId: string; matches: number }>[] = [
  { header: 'ID', value: (row) => row.caseId },
  { header: 'REFERENCE', value: (row) => row.reference },
  { header: 'MATCHED ON', value: (row) => row.fieldId },
];

interface ListOptions {
  status?: CaseStatus;
  risk?: RiskLevel;
  threat?: ThreatType;
  group?: DefenderGroup;
  country?: string;
  assignee?: string;
  reviewDueBefore?: string;
  limit?: number;
  cursor?: string;
}

interface UpdateOptions extends FileOption, VersionOption {
  risk?: RiskLevel;
  threatTypes?: ThreatType[];
  groups?: DefenderGroup[];
  country?: string;
  nextReview?: string;
  consentTransfer?: boolean;
  consentRefuges?: boolean;
}

function updateFromOptions(options: UpdateOptions): CaseUpdate {
  const fromFile: CaseUpdate =
    options.file === undefined ? { version: requireVersion(options) } : parseCaseUpdate(readJsonFile(options.file), options.file, options.version);
  const fromOptions: Omit<CaseUpdate, 'version'> = {
    riskLevel: options.risk,
    threatTypes: options.threatTypes,
    defenderGroups: options.groups,
    countryOfActivity: options.country,
    nextReviewAt: options.nextReview === undefined ? undefined : options.nextReview === 'none' ? null : parseInstant(options.nextReview),
    consentToTransfer: options.consentTransfer,
    consentToRefugeSharing: options.consentRefuges,
  };
  const update: CaseUpdate = { ...fromFile };
  for (const [key, value] of Object.entries(fromOptions) as [keyof typeof fromOptions, unknown][]) {
    if (value === undefined) continue;
    if (fromFile[key] !== undefined) throw new CliError(`${key} is given both in ${options.file ?? 'the file'} and as an option`, ExitCode.Usage);
    Object.assign(update, { [key]: value });
  }
  if (Object.entries(update).every(([key, value]) => key === 'version' || value === undefined)) {
    throw new CliError('nothing to update: give --file change.json or at least one field option', ExitCode.Usage);
  }
  return update;
}

async function typedOrAsked(context: CliContext, given: string | undefined, question: string, option: string): Promise<string> {
  return given ?? (await context.ask(question, option));
}

export function registerCaseCommands(program: Command, contextOf: ContextOf): void {
  const cases = program.command('case').description('defender cases of your embassy (EMBASSY_CONTACT): sealed on this machine');

  cases
    .command('create')
    .description('open a case: sealed, signed and wrapped to your embassy’s team key here; from --file or prompts')
    .option('--file <path>', 'the case as JSON (shape in docs/cli.md); otherwise you are asked')
    .action(async (options: FileOption, command: Command) => {
      const context = contextOf(command);
      const input = options.file === undefined ? await promptNewCase(context) : parseNewCase(readJsonFile(options.file), options.file);
      const created = await context.withSession((session) => withTeamKeys(session, (teamKeys) => createCase(session, input, { teamKeys })));
      context.output.result(created, () => summaryFields(created));
    });

  cases
    .command('list')
    .description('your embassy’s cases (clear fields only), newest first')
    .addOption(new Option('--status <status>', 'only this status').choices(CASE_STATUSES))
    .addOption(new Option('--risk <level>', 'only this risk level').choices(RISK_LEVELS))
    .addOption(new Option('--threat <type>', 'only cases with this threat type').choices(THREAT_TYPES))
    .addOption(new Option('--group <group>', 'only cases with this defender group').choices(DEFENDER_GROUPS))
    .option('--country <code>', 'only this country of activity', parseCountryCode)
    .option('--assignee <user-id>', 'only cases assigned to this contact')
    .option('--review-due-before <date>', 'only cases whose next review is before this date', parseInstant)
    .option('--limit <n>', 'items per page', parsePositiveInteger)
    .option('--cursor <cursor>', 'the page after this cursor')
    .action(async (options: ListOptions, command: Command) => {
      const context = contextOf(command);
      const query: ListCasesQuery = {
        status: options.status,
        riskLevel: options.risk,
        threatType: options.threat,
        defenderGroup: options.group,
        country: options.country,
        assignee: options.assignee,
        reviewDueBefore: options.reviewDueBefore,
        limit: options.limit,
        cursor: options.cursor,
      };
      const page = await context.withSession((session) => {
        requireEmbassy(session);
        return listCases(session, query);
      });
      context.output.list(page, CASE_COLUMNS, 'No cases.');
    });

  cases
    .command('show')
    .description('open a case: verify its signature, decrypt it here and print it')
    .argument('<id>', CASE_ARGUMENT)
    .option('--events', 'also the timeline, every event verified and opened')
    .action(async (id: string, options: { events?: boolean }, command: Command) => {
      const context = contextOf(command);
      const shown = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        return withTeamKeys(session, async (teamKeys) => {
          const opened = await getCase(session, caseId, { teamKeys });
          const events = options.events === true ? await allEvents(session, caseId, teamKeys) : undefined;
          // Members as this device knows them (`Name <e-mail> (scope)`), not bare ids.
          return { opened, events, view: { nameOf: pinnedNames(session) } };
        });
      });
      context.output.result(shown.events === undefined ? shown.opened : { ...shown.opened, events: shown.events }, () =>
        [renderOpenedCase(shown.opened, shown.view), ...(shown.events === undefined ? [] : ['', renderTimeline(shown.events, shown.view)])].join('\n'),
      );
    });

  cases
    .command('update')
    .description('change clear fields (options) and/or sealed content (--file); needs the version you based it on')
    .argument('<id>', CASE_ARGUMENT)
    .option('--version <n>', 'the case version the change is based on (or "version" in the file)', parsePositiveInteger)
    .option('--file <path>', 'the change as JSON (shape in docs/cli.md); "content" fields re-sealed, null removes one')
    .addOption(new Option('--risk <level>', 'new risk level').choices(RISK_LEVELS))
    .option('--threat-types <list>', 'new threat types, comma-separated', commaSeparatedOf(THREAT_TYPES))
    .option('--groups <list>', 'new defender groups, comma-separated', commaSeparatedOf(DEFENDER_GROUPS))
    .option('--country <code>', 'new country of activity', parseCountryCode)
    .option('--next-review <date>', 'next review date (YYYY-MM-DD), or "none"')
    .option('--consent-transfer <yes|no>', 'the defender’s consent to a transfer to another embassy', parseYesNo)
    .option('--consent-refuges <yes|no>', 'the defender’s consent to sharing with refuges', parseYesNo)
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      const context = contextOf(command);
      const update = updateFromOptions(options);
      const updated = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        return withTeamKeys(session, (teamKeys) => updateCase(session, caseId, update, { teamKeys }));
      });
      context.output.result(updated, () => summaryFields(updated));
    });

  cases
    .command('status')
    .description('move a case to another status (the allowed moves are in docs/cases.md)')
    .argument('<id>', CASE_ARGUMENT)
    .addArgument(new Argument('<to>', 'the new status').choices(CASE_STATUSES))
    .option('--version <n>', 'the case version the change is based on', parsePositiveInteger)
    .action(async (id: string, to: CaseStatus, options: VersionOption, command: Command) => {
      const context = contextOf(command);
      const version = requireVersion(options);
      const updated = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        try {
          return await setCaseStatus(session, caseId, to, version);
        } catch (error) {
          throw illegalMove(error, to);
        }
      });
      context.output.result(updated, () => summaryFields(updated));
    });

  cases
    .command('assign')
    .description('assign a case to a contact of your embassy ("me" for yourself), or --unassign')
    .argument('<id>', CASE_ARGUMENT)
    .argument('[user-id]', 'the contact, or "me"')
    .option('--unassign', 'remove the assignment')
    .option('--version <n>', 'the case version the change is based on', parsePositiveInteger)
    .action(async (id: string, userId: string | undefined, options: VersionOption & { unassign?: boolean }, command: Command) => {
      const context = contextOf(command);
      const version = requireVersion(options);
      if ((userId === undefined) === (options.unassign !== true)) throw new CliError('name the contact (or "me"), or pass --unassign', ExitCode.Usage);
      const updated = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        const assignee = userId === undefined ? null : userId === 'me' ? session.user.id : userId;
        return assignCase(session, caseId, assignee, version);
      });
      context.output.result(updated, () => summaryFields(updated));
    });

  cases
    .command('event')
    .description('add a timeline event (sealed and signed here), from --file or prompts')
    .argument('<id>', CASE_ARGUMENT)
    .addOption(new Option('--type <type>', 'the event type').choices(MEMBER_EVENT_TYPES))
    .option('--file <path>', 'the event as JSON: { "type": …, "body": … }')
    .action(async (id: string, options: FileOption & { type?: MemberEventType }, command: Command) => {
      const context = contextOf(command);
      const event =
        options.file === undefined ? await promptCaseEvent(context, options.type) : parseCaseEvent(readJsonFile(options.file), options.file, options.type);
      const created = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        return withTeamKeys(session, (teamKeys) => addCaseEvent(session, caseId, event, { teamKeys }));
      });
      context.output.result(created, () => `Added ${event.type} event ${created.id} to case ${id}.`);
    });

  cases
    .command('dupes')
    .description('cases of your embassy that may be the same person (by blind index of a name or passport number)')
    .addOption(new Option('--by <field>', 'what you will type: a name or a passport number').choices(['name', 'passport']))
    .option('--file <path>', 'what to look for, as JSON: { "name": … } or { "passport": … }')
    .action(async (options: FileOption & { by?: 'name' | 'passport' }, command: Command) => {
      const context = contextOf(command);
      if ((options.file === undefined) === (options.by === undefined)) throw new CliError('give --by name|passport (you are asked for the value) or --file probe.json', ExitCode.Usage);
      const probe = options.file === undefined ? await promptDuplicateProbe(context, options.by ?? 'name') : parseDuplicateProbe(readJsonFile(options.file), options.file);
      const candidates = await context.withSession((session) => withTeamKeys(session, (teamKeys) => findDuplicates(session, probe, { teamKeys })));
      context.output.result({ candidates }, () =>
        candidates.length === 0
          ? 'No candidates among your embassy’s cases.'
          : `${renderTable(candidates, DUPLICATE_COLUMNS)}\nMaybe the same person: open them (\`egide case show ID\`) to compare.`,
      );
    });

  cases
    .command('transfer')
    .description('move a case to another embassy: its key sealed to their team key, after you confirm its fingerprint')
    .argument('<id>', CASE_ARGUMENT)
    .requiredOption('--to <embassy-id>', 'the receiving embassy')
    .option('--fingerprint <digits>', 'the team fingerprint a member of the receiving embassy read to you (scripts)')
    .addOption(new Option('--override-reason <code>', 'transfer without recorded consent (audited)').choices(TRANSFER_OVERRIDE_REASONS))
    .option('--version <n>', 'the case version the transfer is based on (default: the current one)', parsePositiveInteger)
    .action(
      async (
        id: string,
        options: VersionOption & { to: string; fingerprint?: string; overrideReason?: TransferOverrideReason },
        command: Command,
      ) => {
        const context = contextOf(command);
        const moved = await context.withSession(async (session) => {
          const caseId = await resolveCaseId(session, id);
          return withTeamKeys(session, async (teamKeys) => {
            const current = await session.cases.get(caseId);
            if (current.shreddedAt !== null) throw new CaseShreddedError(current.id, current.reference, current.shreddedAt);
            if (!current.consentToTransfer && options.overrideReason === undefined) {
              throw new CliError(
                `the defender has not consented to a transfer of ${current.reference}: nothing was sent`,
                ExitCode.Conflict,
                `Record the consent (\`egide case update ${current.id} --version ${current.version} --consent-transfer yes\`) or, without it, pass --override-reason ${TRANSFER_OVERRIDE_REASONS.join('|')} (audited).`,
              );
            }
            const target = await directoryFingerprint(session, options.to);
            context.output.note(
              [
                `Case:                ${current.reference} (${current.riskLevel}, ${current.status})`,
                `Receiving embassy:   ${options.to}, team key generation ${target.generation}`,
                `Team fingerprint:    ${target.fingerprint}${target.pinned ? ' (pinned on this device)' : ''}`,
                ...(target.pinned && options.fingerprint === undefined
                  ? []
                  : ['Ask a contact of the receiving embassy to read their team fingerprint to you (`egide team status`) by phone or in person.']),
              ].join('\n'),
            );
            // A team key pinned here for this generation needs no new confirmation (docs/protocol.md §5.12).
            const typed =
              target.pinned && options.fingerprint === undefined
                ? target.fingerprint
                : await typedOrAsked(context, options.fingerprint, 'Type the team fingerprint they read to you: ', '--fingerprint DIGITS');
            if (!fingerprintsMatch(target.fingerprint, typed)) {
              throw new CliError(
                'the fingerprint does not match: nothing was sealed or sent',
                ExitCode.Refused,
                'Check with the receiving embassy over another channel; a mismatch may mean the server shows a key that is not theirs.',
              );
            }
            return transferCase(
              session,
              caseId,
              { targetEmbassyId: options.to, expectedTeamFingerprint: typed, overrideReason: options.overrideReason, version: options.version ?? current.version },
              { teamKeys },
            );
          });
        });
        context.output.result(moved, () =>
          [
            `Transferred to embassy ${moved.toEmbassyId} as ${moved.reference}${moved.override ? ' (consent overridden, audited)' : ''}.`,
            'Your embassy no longer has access. The receiving contact runs `egide case reindex ID` so that duplicate searches find it.',
          ].join('\n'),
        );
      },
    );

  cases
    .command('reindex')
    .description('recompute a case’s blind indexes under your embassy’s key (after a transfer in, or a rotation)')
    .argument('<id>', CASE_ARGUMENT)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const updated = await context.withSession(async (session) => {
        const caseId = await resolveCaseId(session, id);
        return withTeamKeys(session, (teamKeys) => reindexCase(session, caseId, { teamKeys }));
      });
      context.output.result(updated, () => summaryFields(updated));
    });

  cases
    .command('shred')
    .description('erase a case’s sealed content for everyone, irreversibly, after you type the confirmation')
    .argument('<id>', CASE_ARGUMENT)
    .option('--confirm <text>', 'the confirmation, "SHRED <reference>" (scripts; otherwise you are asked to type it)')
    .action(async (id: string, options: { confirm?: string }, command: Command) => {
      const context = contextOf(command);
      const shredded = await context.withSession(async (session) => {
        const current = await session.cases.get(await resolveCaseId(session, id));
        if (current.shreddedAt !== null) throw new CaseShreddedError(current.id, current.reference, current.shreddedAt);
        const expected = shredConfirmation(current.reference);
        context.output.note(
          [
            `Case:    ${current.reference} (${current.riskLevel}, ${current.status}, ${current.countryOfActivity})`,
            'Shredding deletes every key of this case: nobody, at any embassy, can open it or its timeline again.',
            'The clear skeleton (status, risk, country, dates) stays for statistics and audit.',
          ].join('\n'),
        );
        const typed = await typedOrAsked(context, options.confirm, `Type "${expected}" to shred it: `, `--confirm "${expected}"`);
        if (typed.trim() !== expected) throw new CliError(`the confirmation is not "${expected}": nothing was shredded`, ExitCode.Refused);
        // Signed on the version just shown: a change since then answers 409 rather than erase unseen.
        return shredCase(session, current.id, current.reference, { version: current.version });
      });
      context.output.result(shredded, () => `Shredded ${shredded.reference} on ${shredded.shreddedAt ?? '-'}: its sealed content no longer exists.`);
    });
}
