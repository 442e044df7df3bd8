/**
 * Starts test/operations/support/server-process.ts as a child process and waits for the
 * line that says where it listens: the real server, from the sources, that a test can
 * kill with any signal. Its stdout and stderr are kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../../src/common/config/environment';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code and signal once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const root = projectRoot();
  const child = spawn(process.execPath, ['-r', join(root, 'test/operations/support/register-typescript.js'), join(root, 'test/operations/support/server-process.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // Complete lines only: the last piece may still be arriving.
      const line = output.split('\n').slice(0, -1).find((candidate) => candidate.startsWith('{"url":'));
      if (line !== undefined) {
        resolve({ child, url: (JSON.parse(line) as { url: string }).url, exited, output: () => output });
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`server process ended before listening (code ${code}, signal ${signal}):\n${output}`)));
  });
}
