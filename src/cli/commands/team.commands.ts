/**
 * `egide team …`: the team key of the signed-in member's scope, on the SDK's team key
 * flows. `create` makes generation 1; `status` opens and verifies the member's current
 * key and lists holders and members waiting; `grant` hands the key to a newcomer only
 * after the user has typed the fingerprint the newcomer read out to them, out of band;
 * `rotate` moves the scope to a new generation with a progress display.
 * The team seed and keys stay in memory; nothing here prints more than public keys'
 * fingerprints and ids.
 */
import type { Command } from 'commander';
import {
  bootstrapTeam,
  confirmCaseWrap,
  EgideApiError,
  FingerprintMismatchError,
  grantTo,
  openMyTeamKeys,
  pendingMembers,
  reindexEmbassyCases,
  resignWraps,
  resumeRotation,
  rotateTeam,
  teamKeyFingerprint,
  teamKeysFingerprint,
  WrongKeyError,
  type EgideSession,
  type RotationProgress,
  type TeamKeys,
  type WrapRecordCheck,
} from '../../client';
import type { RotationResponse } from '../../keys/dto/rotation.response';
import type { TeamMemberResponse } from '../../keys/dto/team-members.response';
import type { CliContext } from '../cli-context';
import { CliError, ExitCode } from '../exit-codes';
import { memberLabel } from '../member-label';
import { ProgressReporter, renderFields, renderTable, type TableColumn } from '../output';
import type { ContextOf } from './account.commands';

const MEMBER_COLUMNS: TableColumn<TeamMemberResponse>[] = [
  { header: 'USER', value: (row) => row.userId },
  { header: 'ROLE', value: (row) => row.role },
  { header: 'FINGERPRINT', value: (row) => row.fingerprint },
  { header: 'MEMBER', value: (row) => memberLabel(row) },
];

/** Team secrets are not needed once the command has its answer: do not leave them in memory. */
function forget(keys: readonly TeamKeys[]): void {
  for (const team of keys) for (const secret of [team.seed, team.boxSecretKey, team.blindIndexKey, team.historyKey]) secret.fill(0);
}

function requireScope(session: EgideSession): string {
  const scopeId = session.user.scope.id;
  if (scopeId === null) throw new CliError(`${session.user.role} accounts hold no team key`, ExitCode.Refused);
  return scopeId;
}

/** The team key as this client verified it, or why it has none. */
interface HeldTeamKey {
  generation: number;
  fingerprint: string;
}

async function heldTeamKey(session: EgideSession, scopeId: string): Promise<HeldTeamKey | 'no-team' | 'waiting'> {
  try {
    const { current, history } = await openMyTeamKeys(session);
    const fingerprint = teamKeyFingerprint(scopeId, current.generation, current.boxPublicKey);
    forget([current, ...history]);
    return { generation: current.generation, fingerprint };
  } catch (error) {
    if (error instanceof EgideApiError && error.status === 404) return 'no-team';
    if (error instanceof WrongKeyError) return 'waiting';
    throw error;
  }
}

/** How a wrap no trusted signature vouches for is checked against its record, by scope kind. */
function recordCheckOf(session: EgideSession): WrapRecordCheck {
  return session.user.role === 'EMBASSY_CONTACT' ? confirmCaseWrap(session) : () => Promise.resolve(false);
}

/**
 * Where a rotation stands, as a fraction and a label: re-sealing is most of the work
 * (5–95 %), re-indexing the cases the last 5 %.
 */
export function describeProgress(progress: RotationProgress): { fraction: number; label: string } {
  switch (progress.stage) {
    case 'opening-keys':
      return { fraction: 0, label: 'opening the current team key' };
    case 'checking':
      return { fraction: 0.02, label: `checked ${progress.checked} data-key wraps` };
    case 'started':
      return {
        fraction: 0.05,
        label: `${progress.resumed ? 'resuming the rotation' : 'rotation started'} to generation ${progress.generation}: ${progress.total} data keys to re-seal`,
      };
    case 'resealing': {
      const share = progress.total === 0 ? 1 : Math.min(1, progress.done / progress.total);
      return { fraction: 0.05 + 0.9 * share, label: `re-sealed ${progress.done} of ${progress.total} data keys` };
    }
    case 'completing':
      return { fraction: 0.95, label: `completing the rotation to generation ${progress.generation}` };
    case 'done':
      return { fraction: 0.95, label: `generation ${progress.generation} in place` };
  }
}

/**
 * Shows rotation progress: a bar on a terminal; otherwise a plain line per stage and
 * per 5 % of re-sealing (a log of 100,000 keys stays short).
 */
function rotationProgress(progress: ProgressReporter, tty: boolean): (step: RotationProgress) => void {
  let lastShown = -1;
  return (step) => {
    const shown = describeProgress(step);
    if (!tty && (step.stage === 'resealing' || step.stage === 'checking')) {
      const bucket = step.stage === 'checking' ? -2 - Math.floor(step.checked / 5000) : Math.floor(shown.fraction * 20);
      if (bucket === lastShown && (step.stage === 'checking' || step.done !== step.total)) return;
      lastShown = bucket;
    }
    progress.update(shown.fraction, shown.label);
  };
}

async function chooseMember(context: CliContext, waiting: TeamMemberResponse[], userId: string | undefined, self: string): Promise<TeamMemberResponse> {
  // A member waiting for the key cannot grant it, least of all to themself.
  const pending = waiting.filter((member) => member.userId.toLowerCase() !== self.toLowerCase());
  if (userId !== undefined) {
    const found = pending.find((member) => member.userId.toLowerCase() === userId.toLowerCase());
    if (found === undefined) throw new CliError(`${userId} is not waiting for the team key of your scope`, ExitCode.NotFound);
    return found;
  }
  if (pending.length === 0) throw new CliError('no member of your scope is waiting for the team key', ExitCode.NotFound);
  if (pending.length === 1) return pending[0];
  context.output.note(renderTable(pending, MEMBER_COLUMNS));
  throw new CliError('several members are waiting: name one, `egide team grant USER_ID`', ExitCode.Usage);
}

export function registerTeamCommands(program: Command, contextOf: ContextOf): void {
  const team = program.command('team').description('the team key of your scope');

  team
    .command('create')
    .description('create generation 1 of your scope’s team key (the first member only)')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const response = await context.withSession(async (session) => {
        requireScope(session);
        const created = await bootstrapTeam(session);
        // Computed from the key just made: what members of other scopes will type in.
        const fingerprint = teamKeysFingerprint(created.team);
        forget([created.team]);
        return { ...created.response, fingerprint };
      });
      context.output.result(response, () =>
        renderFields([
          ['Scope', `${response.scopeType} ${response.scopeId}`],
          ['Generation', String(response.generation)],
          ['Team fingerprint', response.fingerprint],
        ]),
      );
      context.output.note(
        [
          'You founded this team: nobody vouched for you. Before relying on it, every other member must compare your',
          'fingerprint (`egide whoami`) with you out of band, by phone or in person; you grant them with `egide team grant`.',
        ].join('\n'),
      );
    });

  team
    .command('status')
    .description('your team key, the members holding it and the members waiting for it')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const status = await context.withSession(async (session) => {
        const scopeId = requireScope(session);
        const held = await heldTeamKey(session, scopeId);
        if (held === 'no-team') return { scopeId, team: false as const };
        const holders = await session.keysApi.holders();
        const pending = await session.keysApi.pendingMembers();
        return {
          scopeId,
          team: true as const,
          generation: holders.generation,
          holding: held !== 'waiting',
          teamFingerprint: held === 'waiting' ? null : held.fingerprint,
          holders: holders.members,
          pending: pending.members,
        };
      });
      context.output.result(status, () => {
        if (!status.team) return `Your scope (${status.scopeId}) has no team key yet: its first member runs \`egide team create\`.`;
        const lines = [
          renderFields([
            ['Scope', status.scopeId],
            ['Generation', String(status.generation)],
            ['Your key', status.holding ? 'held, verified' : 'waiting for a grant from a member'],
            ['Team fingerprint', status.teamFingerprint ?? '-'],
          ]),
          '',
          `Holders (${status.holders.length}):`,
          renderTable(status.holders, MEMBER_COLUMNS),
        ];
        if (status.pending.length > 0) {
          lines.push('', `Waiting for a grant (${status.pending.length}):`, renderTable(status.pending, MEMBER_COLUMNS));
        }
        return lines.join('\n');
      });
    });

  team
    .command('grant')
    .description('grant the team key to a member waiting for it, after comparing their fingerprint out of band')
    .argument('[user-id]', 'the member (needed when several are waiting)')
    .option('--fingerprint <digits>', 'the fingerprint the member read to you (scripts; otherwise you are asked to type it)')
    .action(async (userId: string | undefined, options: { fingerprint?: string }, command: Command) => {
      const context = contextOf(command);
      const granted = await context.withSession(async (session) => {
        requireScope(session);
        // Only a holder can grant: one who waits is told so (exit 11) before being shown anyone.
        forget((await openMyTeamKeys(session)).history);
        const member = await chooseMember(context, await pendingMembers(session), userId, session.user.id);
        context.output.note(
          [
            `Member:       ${memberLabel(member)}`,
            `User:         ${member.userId} (${member.role})`,
            `Fingerprint:  ${member.fingerprint}`,
            'Ask the member to read their fingerprint to you (`egide whoami`) by phone or in person, not over the channel you are checking.',
          ].join('\n'),
        );
        const typed = options.fingerprint ?? (await context.ask('Type the fingerprint the member read to you: ', '--fingerprint DIGITS'));
        try {
          await grantTo(session, member, typed);
        } catch (error) {
          if (error instanceof FingerprintMismatchError) {
            throw new CliError('the fingerprint does not match: no key was granted', ExitCode.Refused, 'Check with the member over another channel; a mismatch may mean the server shows a key that is not theirs.');
          }
          throw error;
        }
        return member;
      });
      context.output.result({ granted: true, member: granted }, () => `Granted the team key to ${granted.userId}.`);
    });

  team
    .command('resign')
    .description('sign, as yours, the data-key wraps of your scope written before protocol 2, each once its record checks out')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const result = await context.withSession(async (session) => {
        requireScope(session);
        const check = recordCheckOf(session);
        let found = 0;
        const signed = await resignWraps(session, check, (step) => {
          found = step.found;
        });
        return { unsignedFound: found, resigned: signed, left: found - signed };
      });
      context.output.result(result, () =>
        result.unsignedFound === 0
          ? 'Every data-key wrap of your scope is signed.'
          : [
              `Re-signed ${result.resigned} of ${result.unsignedFound} unsigned data-key wraps.`,
              ...(result.left === 0
                ? []
                : [`${result.left} stay unsigned: their record did not verify against an author this device trusts (see \`egide contacts list\`).`]),
            ].join('\n'),
      );
    });

  team
    .command('rotate')
    .description(
      'move your scope to a new team key generation, re-sealing every data key in chunks (after a member left); a rotation left half way is finished first',
    )
    .option('--resume', 'only finish the rotation in progress (from any device of a member holding both generations); start none')
    .action(async (options: { resume?: boolean }, command: Command) => {
      const context = contextOf(command);
      const progress = new ProgressReporter(context.output.stderr);
      const show = rotationProgress(progress, context.output.stderr.isTTY === true);
      const response = await context.withSession(async (session) => {
        requireScope(session);
        try {
          // Wraps written before protocol 2 are re-signed first (each once its record
          // checks out); the rotation then re-seals and re-signs every wrap it trusts.
          const check = recordCheckOf(session);
          let outcome: { next: TeamKeys; response: RotationResponse; resumed: RotationResponse | null };
          if (options.resume === true) {
            const resumed = await resumeRotation(session, show, check);
            if (resumed === undefined) throw new CliError('no rotation of your scope is in progress', ExitCode.NotFound);
            outcome = { ...resumed, resumed: null };
          } else {
            await resignWraps(session, check);
            outcome = await rotateTeam(session, show, check);
          }
          const fingerprint = teamKeysFingerprint(outcome.next);
          forget([outcome.next]);
          // The new generation has a new blind-index key: an embassy's cases are
          // re-indexed so that duplicate searches keep finding them.
          const casesReindexed =
            session.user.role === 'EMBASSY_CONTACT'
              ? await reindexEmbassyCases(session, (done) => progress.update(0.97, `re-indexing cases (${done})`))
              : 0;
          progress.update(1, `generation ${outcome.response.generation} in place`);
          return {
            ...outcome.response,
            fingerprint,
            casesReindexed,
            resumedRotation: outcome.resumed === null ? null : { rotationId: outcome.resumed.rotationId, generation: outcome.resumed.generation },
          };
        } finally {
          progress.finish();
        }
      });
      context.output.result(response, () =>
        renderFields([
          ...(response.resumedRotation === null
            ? []
            : ([['Finished first', `the rotation to generation ${response.resumedRotation.generation} left in progress`]] as [string, string][])),
          ['Generation', String(response.generation)],
          ['Team fingerprint', response.fingerprint],
          ['Rotation', `${response.rotationId} (${response.state.toLowerCase()})`],
          ['Grants', String(response.grantsCreated)],
          ['Data keys re-sealed', `${response.dataKeysResealed} of ${response.dataKeysTotal}, in ${response.chunks} chunks`],
          ['Cases re-indexed', String(response.casesReindexed)],
        ]),
      );
    });
}
