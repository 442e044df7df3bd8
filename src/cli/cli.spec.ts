/**
 * The exit-code contract without a server: a fake fetch answers every request with a
 * chosen problem, and the CLI must exit with the documented code and print the detail
 * and request id, never the secret it was given. Also argument errors, the table
 * renderer, the session file's sealing, and scripted secret lines.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ExportedSession } from '../client';
import { runCli } from './cli';
import type { CliIo } from './cli-io';
import { renderTable } from './output';
import { SecretInput } from './secret-input';
import { newSessionKey, parseSessionKey, SessionStore } from './session-store';

const homes: string[] = [];

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'egide-cli-unit-'));
  homes.push(home);
  return home;
}

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function fakeIo(options: { status?: number; stdin?: string; fetchError?: Error } = {}): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const answer = (): Promise<Response> => {
    if (options.fetchError !== undefined) return Promise.reject(options.fetchError);
    const status = options.status ?? 500;
    const body = { type: 'urn:egide:problem:x', title: 'Problem', status, detail: `detail ${status}`, requestId: 'req-42' };
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } }));
  };
  const io: CliIo = {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: { write: (text) => void (out += text), isTTY: false },
    stderr: { write: (text) => void (err += text), isTTY: false },
    env: { EGIDE_URL: 'http://egide.test', EGIDE_HOME: tempHome() },
    fetch: answer,
    interactive: false,
    promptSecret: () => Promise.reject(new Error('no prompt expected')),
    prompt: () => Promise.reject(new Error('no prompt expected')),
  };
  return { io, out: () => out, err: () => err };
}

describe('exit codes', () => {
  it.each([
    [400, 7],
    [401, 4],
    [403, 4],
    [404, 5],
    [409, 6],
    [422, 7],
    [429, 8],
    [500, 1],
    [503, 1],
  ])('maps HTTP %i on login to exit %i, printing the detail and request id but no secret', async (status, code) => {
    const { io, out, err } = fakeIo({ status, stdin: 'hunter2 secret\n' });
    await expect(runCli(['node', 'egide', 'login', '--email', 'a@b.c', '--totp', '123456', '--password-stdin'], io)).resolves.toBe(code);
    expect(out()).toBe('');
    expect(err()).toContain(`detail ${status}`);
    expect(err()).toContain('request id: req-42');
    expect(err()).not.toContain('hunter2');
  });

  it('exits 1 and names the cause when the server cannot be reached', async () => {
    const { io, err } = fakeIo({ fetchError: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }), stdin: 'x\n' });
    await expect(runCli(['node', 'egide', 'login', '--email', 'a@b.c', '--totp', '123456', '--password-stdin'], io)).resolves.toBe(1);
    expect(err()).toBe('egide: cannot reach the server: connect ECONNREFUSED 127.0.0.1:9\n');
  });

  it.each([
    [['frobnicate']],
    [['login', '--password', 'secret']],
    [['login', '--password-fd', 'three']],
    [['login', '--password-stdin', '--password-file', '/tmp/x', '--email', 'a@b.c', '--totp', '123456']],
    [['admin', 'invite', 'a@b.c', '--role', 'ROOT']],
    [['admin', 'user', 'list', '--limit', '0']],
    [['team']],
  ])('exits 2 on misuse: %j', async (args) => {
    const { io } = fakeIo();
    await expect(runCli(['node', 'egide', ...args], io)).resolves.toBe(2);
  });

  it('exits 3 without a session, before any request', async () => {
    const { io, err } = fakeIo({ fetchError: new Error('no request expected') });
    await expect(runCli(['node', 'egide', 'whoami'], io)).resolves.toBe(3);
    expect(err()).toContain('egide login');
  });

  it('documents the exit codes in --help', async () => {
    const { io, out } = fakeIo();
    await expect(runCli(['node', 'egide', '--help'], io)).resolves.toBe(0);
    for (const line of ['0  ok', '2  usage error', '3  not signed in', '4  refused', '5  not found', '6  conflict', '7  invalid input', '8  rate-limited']) {
      expect(out()).toContain(line);
    }
  });
});

describe('renderTable', () => {
  it('pads columns and neutralises control characters', () => {
    const text = renderTable(
      [
        { id: '1', name: 'Embassy A' },
        { id: '22', name: 'Evil\u001b[2Jname' },
      ],
      [
        { header: 'ID', value: (row) => row.id },
        { header: 'NAME', value: (row) => row.name },
      ],
    );
    expect(text).toBe('ID  NAME\n1   Embassy A\n22  Evil?[2Jname');
  });
});

describe('SessionStore', () => {
  const session: ExportedSession = {
    baseUrl: 'http://egide.test/',
    user: { id: 'u', email: 'a@b.c', displayName: null, role: 'NGO', scope: { type: 'ORGANISATION', id: 'o' }, fingerprint: 'f' },
    publicKeys: { boxPublicKey: 'b', signPublicKey: 's' } as ExportedSession['publicKeys'],
    accessToken: 'access-token-value',
    accessTokenExpiresAt: 1,
    refreshToken: 'refresh-token-value',
    userSeed: 'seed-value-base64url',
  };

  it('round-trips under the key, refuses another key, and keeps the file 0600', async () => {
    const store = new SessionStore({ EGIDE_HOME: join(tempHome(), 'nested') });
    const key = newSessionKey();
    await store.save(session, key);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(store.directory).mode & 0o777).toBe(0o700);
    await expect(store.load(key)).resolves.toEqual(session);
    await expect(store.load(newSessionKey())).rejects.toMatchObject({ exitCode: 3 });
  });

  it('accepts only a 32-byte base64url key', () => {
    expect(() => parseSessionKey(undefined)).toThrow(/not set/);
    expect(() => parseSessionKey('abc')).toThrow(/not a session key/);
    expect(parseSessionKey(Buffer.alloc(32, 1).toString('base64url'))).toHaveLength(32);
  });

  it('serialises work under its lock', async () => {
    const store = new SessionStore({ EGIDE_HOME: tempHome() });
    const order: string[] = [];
    const slow = store.withLock(async () => {
      order.push('a-start');
      await new Promise((resolve) => setTimeout(resolve, 80));
      order.push('a-end');
    });
    const fast = store.withLock(() => {
      order.push('b');
      return Promise.resolve();
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
  });
});

describe('SecretInput', () => {
  it('hands out one line per secret, in order, and names a missing one', async () => {
    const { io } = fakeIo({ stdin: 'first\r\nsecond\n' });
    const input = new SecretInput(io, { passwordStdin: true });
    await expect(input.read('setup token')).resolves.toBe('first');
    await expect(input.readNew('new password')).resolves.toBe('second');
    await expect(input.read('recovery key')).rejects.toThrow('expected the recovery key on line 3 of stdin');
  });
});
