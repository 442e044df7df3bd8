/**
 * A hostile server, played by editing rows directly in PostgreSQL (what anyone with write
 * access to the database can do, holding no member secret): each forgery must fail in
 * the SDK with the named error, and `egide case show` must print nothing of the record.
 *
 * - the whole-case forgery (docs/protocol.md, threat model): a data key of the attacker's choosing sealed to
 *   the embassy's public team key, the envelopes re-sealed under it with correct
 *   associated data, the revision and the wrap signed with a key of the attacker's, and
 *   the author's registered keys swapped for it → KeyChangedError naming the author;
 * - a new key registered for a known member, nothing else touched → KeyChangedError,
 *   until the user re-verifies it (then what the member signed before still verifies);
 * - a replaced wrap (another key sealed to the team, the old signature kept) → the wrap
 *   signature fails (CaseIntegrityError bad_signature);
 * - a revision rolled back to an older, validly signed one → RollbackError;
 * - a server that serves a fresh device a grant of a team of its own making → refused.
 */
import { randomUUID } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';
import { createCase, getCase, updateCase, CaseIntegrityError, type NewCase } from '../../src/client/case-flow';
import { createTeam, generateDataKey, grantTeamSeed, sealDataKeyToTeam, sealRevision, signDataKeyWrap } from '../../src/client/crypto';
import { EgideClient } from '../../src/client/egide-client';
import { openMyTeamKeys } from '../../src/client/team-keys-flow';
import type { HeldGrantResponse } from '../../src/keys/dto/grant.response';
import { WrongKeyError } from '../../src/crypto/protocol-errors';
import type { EgideSession } from '../../src/client/egide-session';
import { KeyChangedError, RollbackError } from '../../src/client/trust-store';
import { verifyMember } from '../../src/client/trusted-keys';
import { fromBase64Url, toBase64Url } from '../../src/crypto/binary-encoding';
import { userKeyFingerprint } from '../../src/crypto/fingerprint';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { CliHarness } from '../cli/cli-harness';
import { startCastApp, type CastApp } from '../support/cast';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { querySql } from '../support/test-database';

let app: CastApp;
let teams: EmbassyTeams;
let author: EgideSession;
let reader: EgideSession;

const NARRATIVE = 'Followed after the hearing; threats by phone.';
const INVENTED = 'INVENTED-BY-THE-SERVER: the defender asked to be moved to a place of our choosing.';

function newCase(fullName: string): NewCase {
  return {
    riskLevel: 'HIGH',
    threatTypes: ['DEATH_THREAT'],
    defenderGroups: ['JOURNALIST'],
    countryOfActivity: 'KE',
    consentToTransfer: false,
    consentToRefugeSharing: false,
    content: { identity: { fullName }, narrative: NARRATIVE },
  };
}

interface CaseKeyRow {
  key_id: string;
  revision: number;
  embassy_id: string;
  generation: number;
  team_box_public_key: string;
}

async function caseKeyRow(url: string, caseId: string): Promise<CaseKeyRow> {
  const [row] = await querySql<CaseKeyRow>(
    url,
    `SELECT c.key_id, c.revision, c.embassy_id, w.generation, t.team_box_public_key
       FROM cases c
       JOIN data_key_wraps w ON w.key_id = c.key_id AND w.scope_id = c.embassy_id
       JOIN team_key_generations t ON t.scope_id = w.scope_id AND t.generation = w.generation
      WHERE c.id = $1`,
    [caseId],
  );
  return row;
}

/** A key pair of the attacker's, registered in place of `userId`'s. */
async function swapRegisteredKeys(url: string, userId: string): Promise<{ signSecretKey: Uint8Array; fingerprint: string }> {
  const sign = sodium.crypto_sign_keypair();
  const box = sodium.crypto_box_keypair();
  const fingerprint = userKeyFingerprint(box.publicKey, sign.publicKey);
  await querySql(url, `UPDATE users SET sign_public_key = $2, box_public_key = $3, fingerprint = $4 WHERE id = $1`, [
    userId,
    toBase64Url(sign.publicKey),
    toBase64Url(box.publicKey),
    fingerprint,
  ]);
  return { signSecretKey: sign.privateKey, fingerprint };
}

/** The whole-case forgery: new data key, new envelopes, new signatures, the author's key swapped. */
async function forgeCase(url: string, caseId: string, authorId: string): Promise<string> {
  const row = await caseKeyRow(url, caseId);
  const attacker = await swapRegisteredKeys(url, authorId);
  const dataKey = { keyId: row.key_id, key: generateDataKey().key };
  const revision = sealRevision(
    { entity: 'case', recordId: caseId, version: row.revision, authorUserId: authorId },
    { identity: { fullName: 'Invented Person' }, narrative: INVENTED },
    dataKey,
    attacker.signSecretKey,
  );
  const sealed = sealDataKeyToTeam(dataKey, { scopeId: row.embassy_id, generation: row.generation, boxPublicKey: fromBase64Url(row.team_box_public_key, 'team') });
  const wrap = signDataKeyWrap(sealed, { entity: 'case', recordId: caseId, writerUserId: authorId }, attacker.signSecretKey);
  await querySql(url, `UPDATE cases SET envelopes = $2::jsonb, revision_signature = $3 WHERE id = $1`, [
    caseId,
    JSON.stringify(revision.envelopes),
    revision.signature,
  ]);
  await querySql(url, `UPDATE data_key_wraps SET sealed = $3, signature = $4, writer_id = $5 WHERE key_id = $1 AND scope_id = $2`, [
    row.key_id,
    row.embassy_id,
    wrap.sealed,
    wrap.signature,
    authorId,
  ]);
  return attacker.fingerprint;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the read succeeded');
}

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
  author = teams.sessions.contactA1;
  reader = teams.sessions.contactA2;
});

afterAll(async () => {
  await app.close();
});

describe('a hostile database against the SDK', () => {
  it('refuses the whole-case forgery with KeyChangedError naming the author, before opening anything', async () => {
    const created = await createCase(author, newCase('Achieng Odhiambo'));
    expect((await getCase(reader, created.id)).content.narrative).toBe(NARRATIVE);
    const pinned = reader.trust.member(author.user.id);
    const forgedFingerprint = await forgeCase(app.database.url, created.id, author.user.id);
    const error = await rejection(getCase(reader, created.id));
    expect(error).toBeInstanceOf(KeyChangedError);
    const changed = error as KeyChangedError;
    expect(changed.subject).toMatchObject({ kind: 'member', id: author.user.id });
    expect(changed.subject.label).toContain(app.cast.members.contactA1.email);
    expect(changed.pinnedFingerprint).toBe(pinned?.fingerprint);
    expect(changed.servedFingerprint).toBe(forgedFingerprint);
    expect(JSON.stringify(changed)).not.toContain('INVENTED');
  });

  it('refuses a new key registered for a known member, with nothing else touched', async () => {
    // Embassy B: the first test swapped embassy A's founder's keys.
    const [founder, member] = [teams.sessions.contactB1, teams.sessions.contactB2];
    const created = await createCase(member, newCase('Baraka Mwangi'));
    expect((await getCase(founder, created.id)).content.identity.fullName).toBe('Baraka Mwangi');
    const swapped = await swapRegisteredKeys(app.database.url, member.user.id);
    const error = await rejection(getCase(founder, created.id));
    expect(error).toBeInstanceOf(KeyChangedError);
    expect((error as KeyChangedError).subject.id).toBe(member.user.id);

    // A fingerprint typed wrong pins nothing. The served one, confirmed out of band (as
    // after a real re-enrolment), re-pins the member; keeping the replaced key (the old
    // device was not lost or seized) keeps what they signed with it verifying as theirs.
    await expect(verifyMember(founder, member.user.id, app.cast.members.contactB2.fingerprint)).rejects.toBeInstanceOf(KeyChangedError);
    await expect(getCase(founder, created.id)).rejects.toBeInstanceOf(KeyChangedError);
    await verifyMember(founder, member.user.id, swapped.fingerprint, { keepPreviousKey: true });
    expect(founder.trust.member(member.user.id)).toMatchObject({ verification: 'fingerprint', fingerprint: swapped.fingerprint });
    await expect(getCase(founder, created.id)).resolves.toMatchObject({ content: { identity: { fullName: 'Baraka Mwangi' } } });
  });
});

describe('a re-verified key without the old one kept', () => {
  it('refuses what the member signed with the replaced key (a seized device must not sign on)', async () => {
    const [founder, member] = [teams.sessions.contactB1, teams.sessions.contactB2];
    const created = await createCase(founder, newCase('Charles Kimani'));
    await expect(getCase(member, created.id)).resolves.toMatchObject({ content: { identity: { fullName: 'Charles Kimani' } } });
    const swapped = await swapRegisteredKeys(app.database.url, founder.user.id);
    await expect(getCase(member, created.id)).rejects.toBeInstanceOf(KeyChangedError);
    await verifyMember(member, founder.user.id, swapped.fingerprint);
    // The grant, the wrap and the revision were all signed with the replaced key.
    await expect(getCase(member, created.id)).rejects.toMatchObject({ name: expect.stringMatching(/^(BadSignatureError|CaseIntegrityError)$/) as string });
  });
});

describe('a hostile database against the SDK (keys intact)', () => {
  let app2: CastApp;
  let a1: EgideSession;
  let a2: EgideSession;

  beforeAll(async () => {
    app2 = await startCastApp();
    const teams2 = await setUpEmbassyTeams(app2);
    a1 = teams2.sessions.contactA1;
    a2 = teams2.sessions.contactA2;
  });

  afterAll(async () => {
    await app2.close();
  });

  it('refuses a wrap replaced by another key sealed to the team (the writer never signed it)', async () => {
    const created = await createCase(a1, newCase('Chebet Kiprono'));
    await getCase(a2, created.id);
    const row = await caseKeyRow(app2.database.url, created.id);
    const other = sealDataKeyToTeam(
      { keyId: row.key_id, key: generateDataKey().key },
      { scopeId: row.embassy_id, generation: row.generation, boxPublicKey: fromBase64Url(row.team_box_public_key, 'team') },
    );
    await querySql(app2.database.url, `UPDATE data_key_wraps SET sealed = $3 WHERE key_id = $1 AND scope_id = $2`, [row.key_id, row.embassy_id, other.sealed]);
    const error = await rejection(getCase(a2, created.id));
    expect(error).toBeInstanceOf(CaseIntegrityError);
    expect((error as CaseIntegrityError).reason).toBe('bad_signature');
  });

  it('refuses a revision rolled back to an older, validly signed one', async () => {
    const created = await createCase(a1, newCase('Dalia Njeri'));
    const [before] = await querySql<{ envelopes: unknown; revision_signature: string; revision_author_id: string }>(
      app2.database.url,
      `SELECT envelopes, revision_signature, revision_author_id FROM cases WHERE id = $1`,
      [created.id],
    );
    const updated = await updateCase(a1, created.id, { version: created.version, content: { narrative: 'Moved to a safe house.' } });
    expect((await getCase(a2, created.id)).revision).toBe(updated.revision);
    await querySql(app2.database.url, `UPDATE cases SET envelopes = $2::jsonb, revision_signature = $3, revision = 1, version = 1 WHERE id = $1`, [
      created.id,
      JSON.stringify(before.envelopes),
      before.revision_signature,
    ]);
    const error = await rejection(getCase(a2, created.id));
    expect(error).toBeInstanceOf(RollbackError);
    expect(error).toMatchObject({ entity: 'case', recordId: created.id, seen: { revision: 2 }, served: { revision: 1 } });
  });
});

describe('a hostile database against `egide case show`', () => {
  let app3: CastApp;
  let cli: CliHarness;

  beforeAll(async () => {
    app3 = await startCastApp();
    await setUpEmbassyTeams(app3);
    cli = new CliHarness(app3.url);
    const member = app3.cast.members.contactA2;
    expect((await cli.login(member.email, member.password, app3.freshTotp('contactA2'))).code).toBe(0);
  });

  afterAll(async () => {
    cli.cleanup();
    await app3.close();
  });

  it('exits 10 naming the member whose key changed, with the fingerprints, and prints nothing of the case', async () => {
    const a1 = await app3.login('contactA1');
    const created = await createCase(a1, newCase('Esther Wanjiru'));
    const first = await cli.run(['case', 'show', created.id]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(NARRATIVE);
    const forged = await forgeCase(app3.database.url, created.id, a1.user.id);
    const shown = await cli.run(['case', 'show', created.id]);
    expect(shown.code).toBe(10);
    expect(shown.stdout).toBe('');
    expect(shown.stderr).toContain(app3.cast.members.contactA1.email);
    expect(shown.stderr).toContain(app3.cast.members.contactA1.fingerprint);
    expect(shown.stderr).toContain(forged);
    expect(shown.stderr).toContain('egide contacts verify');
    for (const leaked of ['INVENTED', 'Invented Person', NARRATIVE, 'Esther']) expect(shown.stdout + shown.stderr).not.toContain(leaked);
    const json = await cli.run(['case', 'show', created.id, '--json']);
    expect(json.code).toBe(10);
    expect(json.stdout).toBe('');
  });
});

describe('a hostile server that makes up a team', () => {
  let app4: CastApp;

  beforeAll(async () => {
    app4 = await startCastApp();
    await setUpEmbassyTeams(app4);
  });

  afterAll(async () => {
    await app4.close();
  });

  it("refuses a grant of another scope on a fresh device, whoever signed it (no first use outside one's own scope)", async () => {
    const member = app4.cast.members.contactA2;
    const fakeScope = randomUUID();
    const fakeGranter = { userId: randomUUID(), ...sodium.crypto_sign_keypair() };
    const fakeBox = sodium.crypto_box_keypair();
    const grantFor = (target: EgideSession): HeldGrantResponse => {
      const grant = grantTeamSeed(
        createTeam(fakeScope),
        { userId: target.user.id, boxPublicKey: target.keys.boxPublicKey, signPublicKey: target.keys.signPublicKey },
        { userId: fakeGranter.userId, signSecretKey: fakeGranter.privateKey },
      );
      return {
        grant,
        granterSignPublicKey: toBase64Url(fakeGranter.publicKey),
        granterBoxPublicKey: toBase64Url(fakeBox.publicKey),
        granterFingerprint: userKeyFingerprint(fakeBox.publicKey, fakeGranter.publicKey),
        createdAt: new Date().toISOString(),
      };
    };
    // The server answers the grant query with a team of its own making, for a scope it chose.
    const hostileFetch: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.endsWith('/keys/team/grants/mine')) {
        const body = { scopeId: fakeScope, currentGeneration: 1, grants: [grantFor(session)], historyLinks: [] };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return fetch(input, init);
    };
    const session = await new EgideClient(app4.url, { fetch: hostileFetch }).login(member.email, member.password, app4.freshTotp('contactA2'));
    await expect(openMyTeamKeys(session)).rejects.toBeInstanceOf(WrongKeyError);
    expect(session.trust.member(fakeGranter.userId)).toBeUndefined();
    expect(session.trust.teamKeys()).toEqual([]);
  });
});
