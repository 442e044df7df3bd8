/**
 * The property-based fuzzer (docs/testing.md, "Fuzzing"): every operation of the served
 * OpenAPI document and of the router, anonymously and as each role, valid requests then
 * mutations of them. `npm test` runs a small budget; `npm run fuzz` a large one
 * (FUZZ_REQUESTS); FUZZ_SEED replays a run, FUZZ_ROUTE narrows it to matching routes,
 * FUZZ_REPORT also writes the report to a file. Fails on any finding, after printing
 * them all, grouped.
 */
import { writeFileSync } from 'node:fs';
import { querySql } from '../support/test-database';
import { startFuzzEnvironment, type FuzzEnvironment } from './fuzz-environment';
import { WriteLedger } from './write-ledger';
import { fuzzSeed } from './prng';
import { runFuzz } from './runner';

/** Small enough for `npm test` on two cores: about 25 s with the set-up, under a minute on a busy machine. */
const DEFAULT_REQUESTS = 1000;

const seed = fuzzSeed(process.env.FUZZ_SEED);
const requests = Number(process.env.FUZZ_REQUESTS ?? DEFAULT_REQUESTS);
const only = process.env.FUZZ_ROUTE === undefined || process.env.FUZZ_ROUTE === '' ? undefined : new RegExp(process.env.FUZZ_ROUTE);
const print = (text: string): void => void process.stdout.write(`${text}\n`);

let env: FuzzEnvironment;

beforeAll(async () => {
  env = await startFuzzEnvironment();
}, 120_000);

afterAll(async () => {
  await env?.close();
});

it('fuzzes the same operations as the router serves and the OpenAPI document describes', () => {
  expect(env.disagreements).toEqual([]);
  expect(env.operations.length).toBeGreaterThan(40);
});

it('counts every committed write in the ledger, an UPDATE that changes no row count included, and no rolled-back one', async () => {
  const before = await env.ledger.snapshot();
  const [{ id }] = await querySql<{ id: string }>(env.app.database.url, `INSERT INTO embassies (name, country, city) VALUES ('Ledger probe', 'KE', 'Mombasa') RETURNING id`);
  await querySql(env.app.database.url, `UPDATE embassies SET city = 'Kisumu' WHERE id = $1`, [id]);
  await querySql(env.app.database.url, `UPDATE embassies SET city = city WHERE id = $1`, [id]);
  await expect(querySql(env.app.database.url, `INSERT INTO embassies (name, country, city) VALUES (NULL, 'KE', 'x')`)).rejects.toThrow();
  const writes = WriteLedger.diff(before, await env.ledger.snapshot());
  expect(writes.filter((write) => write.table === 'embassies').sort((a, b) => `${a.operation} ${a.columns}`.localeCompare(`${b.operation} ${b.columns}`))).toEqual([
    { table: 'embassies', operation: 'INSERT', columns: '', rows: 1 },
    { table: 'embassies', operation: 'UPDATE', columns: '', rows: 1 },
    { table: 'embassies', operation: 'UPDATE', columns: 'city', rows: 1 },
  ]);
});

it(
  `answers ${requests} fuzzed requests without a 5xx, a non-problem error, a leak or a refused request's write`,
  async () => {
    print(`fuzz: seed ${seed}, ${requests} requests${only === undefined ? '' : `, routes matching ${String(only)}`}`);
    const report = await runFuzz(env, {
      seed,
      requests,
      only,
      onNewFinding: (finding) => print(`fuzz: new finding: ${finding.kind} | ${finding.route} | ${finding.mutation} ${finding.variant} | ${finding.status}`),
      onProgress: (progress) => print(`fuzz: ${progress.requests} requests, ${progress.findingCount()} findings in ${progress.groups.size} groups`),
    });
    const text = report.render();
    print(text);
    if (process.env.FUZZ_REPORT !== undefined && process.env.FUZZ_REPORT !== '') writeFileSync(process.env.FUZZ_REPORT, text);

    const fuzzed = [...report.statuses.keys()].sort();
    const expected = env.operations.filter((operation) => only === undefined || only.test(operation.key)).map((operation) => operation.key).sort();
    if (requests >= expected.length) expect(fuzzed).toEqual(expected);
    expect(report.serverErrors()).toBe(0);
    expect(report.findingsSummary()).toBe('No findings.');
  },
  120_000 + requests * 40,
);
