/**
 * Case creation is one statement that locks the embassy's current team generation FOR
 * SHARE (docs/cases.md, "Creating a case: one statement"). These tests hold the other
 * side of that lock in a transaction of their own, exactly as a rotation's start does
 * (UPDATE the current generation row, INSERT the next), and show in PostgreSQL that:
 *   - creations do not wait for each other (many in flight, consecutive references);
 *   - a creation that arrives while a rotation is starting waits for it, then writes
 *     nothing and answers 409 stale-generation naming the new generation;
 *   - a rotation that starts while creations are in flight waits for them;
 *   - no wrap of a superseded generation is ever written after the rotation started.
 */
import { Client } from 'pg';
import { createCase, sealNewCase } from '../../src/client/case-flow';
import { EgideApiError } from '../../src/client/http-client';
import { readyCrypto } from '../../src/crypto/protocol-hash';
import { startCastApp, type CastApp } from '../support/cast';
import { querySql } from '../support/test-database';
import { setUpEmbassyTeams, type EmbassyTeams } from '../support/teams';
import { newCase } from './case-factory';

let app: CastApp;
let teams: EmbassyTeams;

beforeAll(async () => {
  await readyCrypto();
  app = await startCastApp();
  teams = await setUpEmbassyTeams(app);
});

afterAll(async () => {
  await app.close();
});

/** A rotation's start, held open: the current row superseded and the next generation written, not yet committed. */
async function beginRotationStart(embassyId: string): Promise<{ client: Client; next: number; commit(): Promise<void> }> {
  const client = new Client({ connectionString: app.database.url });
  await client.connect();
  await client.query('BEGIN');
  const superseded = await client.query<{ generation: number }>(
    `UPDATE team_key_generations SET superseded_at = now() WHERE scope_id = $1 AND superseded_at IS NULL RETURNING generation`,
    [embassyId],
  );
  const next = superseded.rows[0].generation + 1;
  await client.query(
    `INSERT INTO team_key_generations (scope_id, generation, scope_type, team_box_public_key, fingerprint, history_link, created_by)
     SELECT scope_id, $2, scope_type, team_box_public_key, fingerprint, history_link, created_by
       FROM team_key_generations WHERE scope_id = $1 AND generation = $2 - 1`,
    [embassyId, next],
  );
  return {
    client,
    next,
    commit: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

describe('creating cases against a rotation', () => {
  it('lets twenty creations of one embassy run side by side, with consecutive references', async () => {
    const contact = teams.sessions.contactB1;
    const created = await Promise.all(Array.from({ length: 20 }, (_, n) => createCase(contact, newCase(`side-${n}`))));
    const numbers = created.map((c) => Number(c.reference.split('-')[2])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(20);
    expect(numbers[19] - numbers[0]).toBe(19);
  });

  it('makes a creation wait for a rotation that is starting, then refuses it as stale, writing nothing', async () => {
    const contact = teams.sessions.contactA1;
    const embassyId = app.cast.ids.embassyA;
    const request = await sealNewCase(contact, newCase('during-rotation'));
    const rotation = await beginRotationStart(embassyId);
    const sent = contact.cases.create(request).then(
      () => ({ status: 201, reason: undefined as unknown, currentGeneration: undefined as unknown }),
      (error: unknown) => {
        if (!(error instanceof EgideApiError)) throw error;
        return { status: error.status, reason: error.problem.reason, currentGeneration: error.problem.currentGeneration };
      },
    );
    // It waits on the generation row the rotation holds…
    await expect(settledWithin(sent, 400)).resolves.toBe(false);
    await rotation.commit();
    // …then finds its generation superseded.
    await expect(sent).resolves.toEqual({ status: 409, reason: 'stale-generation', currentGeneration: rotation.next });
    const written = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM cases WHERE id = $1`, [request.id]);
    expect(written[0].n).toBe(0);
    const stale = await querySql<{ n: number }>(
      app.database.url,
      `SELECT count(*)::int AS n FROM data_key_wraps w JOIN team_key_generations g ON g.scope_id = w.scope_id AND g.generation = w.generation
        WHERE w.scope_id = $1 AND g.superseded_at IS NOT NULL AND w.created_at > g.superseded_at`,
      [embassyId],
    );
    expect(stale[0].n).toBe(0);
  });

  it('makes a rotation that starts during creations wait for them', async () => {
    const contact = teams.sessions.contactB2;
    const embassyId = app.cast.ids.embassyB;
    const request = await sealNewCase(contact, newCase('after-rotation'));
    // A creation in flight is simulated by a transaction holding the share lock a creating statement takes.
    const creator = new Client({ connectionString: app.database.url });
    await creator.connect();
    await creator.query('BEGIN');
    await creator.query(`SELECT generation FROM team_key_generations WHERE scope_id = $1 AND superseded_at IS NULL FOR SHARE`, [embassyId]);
    const rotating = beginRotationStart(embassyId);
    await expect(settledWithin(rotating, 400)).resolves.toBe(false);
    await creator.query('COMMIT');
    await creator.end();
    const rotation = await rotating;
    await rotation.commit();
    // Afterwards nothing is written for the old generation: this simulated rotation granted
    // the new one to nobody, so the guard refuses the member before any statement runs.
    await expect(contact.cases.create(request)).rejects.toMatchObject({ status: 403, problem: { generation: rotation.next } });
    const written = await querySql<{ n: number }>(app.database.url, `SELECT count(*)::int AS n FROM cases WHERE id = $1`, [request.id]);
    expect(written[0].n).toBe(0);
  });
});
