/**
 * `npm start` as an operator runs it, on a fresh embedded database: the banner comes
 * after a short start-up log, with the setup token last on a line of its own; nothing
 * warns of a deprecation; and a signal stops the server and its PostgreSQL, with npm
 * exiting 0.
 *
 * - SIGINT to the whole process group, as a Ctrl-C in a terminal does: npm and the server
 *   both get it, and npm forwards it once more.
 * - SIGTERM to npm alone, as `kill` or a service manager does: npm forwards it.
 *
 * The first start is `npm start` exactly (its prestart builds dist/, so this works on a
 * fresh checkout); the second adds `--ignore-scripts`, which skips only that build: the
 * same start script, the same process tree, twenty seconds less.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/config/environment';
import { makeTempDir } from '../support/test-app';

const TOKEN_LINE = /^ {4}[A-Za-z0-9_-]{43}$/;

const base = makeTempDir('egide-npm-start-');
const dataDir = join(base, 'data');

afterAll(() => rmSync(base, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes whose parent is `parent`, with their command lines (Linux /proc). */
function childrenOf(parent: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  serverPid: number;
  postgresPid: number;
}

async function runNpmStart(args: string[], stop: (npmPid: number) => void): Promise<Run> {
  const npm = spawn('npm', ['start', ...args], {
    cwd: projectRoot(),
    // Its own process group, so that a "Ctrl-C" can be sent to npm and its children only.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', LOG_FORMAT: '', PORT: '0', DATA_DIR: dataDir, DATABASE_URL: '' },
  });
  let stdout = '';
  let stderr = '';
  npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    npm.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.split('\n').some((line) => TOKEN_LINE.test(line))) resolve();
    });
    void exited.then(() => reject(new Error(`npm start ended before printing the setup token:\n${stdout}\n${stderr}`)));
  });
  await ready;
  const server = childrenOf(npm.pid ?? -1).find((child) => child.command.includes('dist/src/main.js'));
  if (server === undefined) throw new Error(`no server process under npm (${npm.pid}): ${JSON.stringify(childrenOf(npm.pid ?? -1))}`);
  const postgresPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  expect(isAlive(postgresPid)).toBe(true);
  stop(npm.pid ?? -1);
  const { code, signal } = await exited;
  return { stdout, stderr, code, signal, serverPid: server.pid, postgresPid };
}

function expectQuietStart(run: Run): void {
  const output = run.stdout + run.stderr;
  expect(output).not.toMatch(/DeprecationWarning|ExperimentalWarning|FSTDEP|\(node:\d+\)/);
  const lines = run.stdout.split('\n');
  const tokenAt = lines.findIndex((line) => TOKEN_LINE.test(line));
  // Readable lines, not JSON, and few of them before the token.
  expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
  expect(tokenAt).toBeLessThan(30);
  expect(lines.slice(0, tokenAt).join('\n')).toContain('No administrator exists yet.');
  expect(lines[tokenAt - 2]).toBe(`and this one-time setup token, also kept in ${join(dataDir, 'setup-token')} (mode 0600):`);
  // After the token, only the blank line that ends the banner, then what shutdown logs.
  const after = lines.slice(tokenAt + 1).filter((line) => line.trim() !== '');
  expect(after.length).toBeGreaterThan(0);
  for (const line of after) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}(shutting down|already shutting down|stopped)/);
}

it('Ctrl-C (SIGINT to the process group) stops the server and PostgreSQL, npm exits 0', async () => {
  const run = await runNpmStart([], (npmPid) => process.kill(-npmPid, 'SIGINT'));
  expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  expect(isAlive(run.serverPid)).toBe(false);
  expect(isAlive(run.postgresPid)).toBe(false);
  expect(run.stdout).toContain('nest build');
  expectQuietStart(run);
  expect(run.stdout).toMatch(/INFO {2}shutting down signal=SIGINT/);
}, 180_000);

it('SIGTERM to npm stops the server and PostgreSQL, npm exits 0', async () => {
  const run = await runNpmStart(['--ignore-scripts'], (npmPid) => process.kill(npmPid, 'SIGTERM'));
  expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  expect(isAlive(run.serverPid)).toBe(false);
  expect(isAlive(run.postgresPid)).toBe(false);
  expectQuietStart(run);
  expect(run.stdout).toMatch(/INFO {2}shutting down signal=SIGTERM/);
}, 60_000);
