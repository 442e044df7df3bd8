/**
 * `egide contacts …`: what this device trusts about other members' keys (the SDK's trust
 * store, sealed in `$EGIDE_HOME/trust/`). `list` shows every pinned member and team key
 * with how it was verified; `show` one member; `verify` pins a member's current keys
 * after the user compared the fingerprint with them out of band — the one way to accept
 * a key that changed (a new device, a re-enrolment) or to trust someone nothing vouches
 * for (an author at another embassy, a founder). What the member signed with a replaced
 * key stops verifying unless `--keep-old-key` says that key was not lost or seized.
 *
 * It prints public keys' fingerprints, names and e-mails only, and never pins a key
 * whose fingerprint the user did not type or confirm.
 */
import type { Command } from 'commander';
import {
  isUuid,
  KeyChangedError,
  verifyMember,
  type EgideSession,
  type PinnedMember,
  type PinnedTeamKey,
} from '../../client';
import { CliError, ExitCode } from '../exit-codes';
import { memberLabel, terminalSafe } from '../member-label';
import { renderFields, renderTable, type TableColumn } from '../output';
import type { ContextOf } from './account.commands';

const VERIFICATION_LABEL: Record<PinnedMember['verification'], string> = {
  self: 'you',
  fingerprint: 'fingerprint compared',
  grant: 'vouched by a grant',
  'first-use': 'first use (compare it!)',
};

function memberColumns(store: EgideSession['trust']): TableColumn<PinnedMember>[] {
  return [
    { header: 'MEMBER', value: (row) => memberLabel(row) },
    { header: 'ROLE', value: (row) => row.role ?? '-' },
    {
      header: 'VERIFIED',
      value: (row) => {
        const voucher = row.vouchedBy === null ? undefined : store.member(row.vouchedBy);
        return row.verification === 'grant' && voucher !== undefined ? `vouched by ${memberLabel(voucher)}` : VERIFICATION_LABEL[row.verification];
      },
    },
    { header: 'SINCE', value: (row) => row.verifiedAt.slice(0, 10) },
    { header: 'FINGERPRINT', value: (row) => row.fingerprint },
  ];
}

const TEAM_COLUMNS: TableColumn<PinnedTeamKey>[] = [
  { header: 'SCOPE', value: (row) => row.scopeId },
  { header: 'GENERATION', value: (row) => String(row.generation) },
  { header: 'VERIFIED', value: (row) => (row.verification === 'grant' ? 'your own grant' : 'fingerprint compared') },
  { header: 'FINGERPRINT', value: (row) => row.fingerprint },
];

/** A member named by user id, or by the e-mail of a member this device already knows. */
function resolveMember(session: EgideSession, who: string): string {
  if (isUuid(who)) return who.toLowerCase();
  const wanted = who.toLowerCase();
  const known = session.trust.members().find((member) => member.email?.toLowerCase() === wanted);
  if (known === undefined) throw new CliError(`no member ${who} is known on this device: name them by user id`, ExitCode.NotFound);
  return known.userId;
}

export function registerContactsCommands(program: Command, contextOf: ContextOf): void {
  const contacts = program.command('contacts').description('the members and team keys this device trusts, and how it verified them');

  contacts
    .command('list')
    .description('every member and team key pinned on this device')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const listed = await context.withSession((session) => {
        const members = session.trust.members();
        return Promise.resolve({ members, teamKeys: session.trust.teamKeys(), columns: memberColumns(session.trust) });
      });
      context.output.result({ members: listed.members, teamKeys: listed.teamKeys }, () =>
        [`Members (${listed.members.length}):`, renderTable(listed.members, listed.columns), '', `Team keys (${listed.teamKeys.length}):`, renderTable(listed.teamKeys, TEAM_COLUMNS)].join('\n'),
      );
    });

  contacts
    .command('show')
    .description('one pinned member')
    .argument('<member>', 'user id, or the e-mail of a member known here')
    .action(async (who: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const member = await context.withSession((session) => {
        const pinned = session.trust.member(resolveMember(session, who));
        if (pinned === undefined) throw new CliError(`${who} is not pinned on this device`, ExitCode.NotFound);
        return Promise.resolve(pinned);
      });
      context.output.result(member, () =>
        renderFields([
          ['Member', memberLabel(member)],
          ['User id', member.userId],
          ['Role', member.role ?? '-'],
          ['Fingerprint', member.fingerprint],
          ['Verified', `${VERIFICATION_LABEL[member.verification]}${member.vouchedBy === null ? '' : ` (by ${member.vouchedBy})`}, ${member.verifiedAt}`],
        ]),
      );
    });

  contacts
    .command('verify')
    .description("pin a member's current keys after comparing their fingerprint out of band (also accepts a changed key)")
    .argument('<member>', 'user id, or the e-mail of a member known here')
    .option('--fingerprint <digits>', 'the fingerprint the member read to you (scripts; otherwise you are asked to type it)')
    .option(
      '--keep-old-key',
      'keep accepting what they signed with their previous key (only if that key was not lost or seized: a forgotten password, not a stolen device)',
    )
    .action(async (who: string, options: { fingerprint?: string; keepOldKey?: boolean }, command: Command) => {
      const context = contextOf(command);
      const pinned = await context.withSession(async (session) => {
        const userId = resolveMember(session, who);
        const previous = session.trust.member(userId);
        if (previous !== undefined) context.output.note(`Currently pinned on this device: ${memberLabel(previous)}, fingerprint ${previous.fingerprint}`);
        context.output.note('Ask the member to read their fingerprint to you (`egide whoami`) by phone or in person, not over the channel you are checking.');
        const typed = options.fingerprint ?? (await context.ask('Type the fingerprint the member read to you: ', '--fingerprint DIGITS'));
        try {
          return await verifyMember(session, userId, typed, { keepPreviousKey: options.keepOldKey === true });
        } catch (error) {
          if (error instanceof KeyChangedError) {
            throw new CliError(
              `the keys the server serves for ${terminalSafe(error.subject.label)} do not derive that fingerprint (they derive ${error.servedFingerprint}): nothing was pinned`,
              ExitCode.Refused,
              'Check with the member over another channel; a mismatch may mean the server shows a key that is not theirs.',
            );
          }
          throw error;
        }
      });
      context.output.result(pinned, () => `Verified ${memberLabel(pinned)}: fingerprint ${pinned.fingerprint} pinned on this device.`);
    });
}
