/**
 * Runs `egide` in-process with a scripted `CliIo`: captured stdout and stderr, a chosen
 * environment (EGIDE_URL, EGIDE_HOME in a temporary directory, EGIDE_SESSION when
 * given), stdin text, and scripted answers to prompts. The real server and SDK answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Prompts shown, in order (secret ones marked). */
  prompts: string[];
}

/** A scripted answer, or one computed from what the command has printed so far. */
export type PromptAnswer = string | ((output: { stdout: string; stderr: string }) => string);

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  /** Answers to prompts, in order; the run is interactive when given. */
  answers?: PromptAnswer[];
  tty?: boolean;
}

export class CliHarness {
  readonly home = mkdtempSync(join(tmpdir(), 'egide-cli-home-'));
  /** EGIDE_SESSION for later runs, as set by `login`. */
  sessionKey: string | undefined;

  constructor(readonly url: string) {}

  get sessionFile(): string {
    return join(this.home, 'session.json');
  }

  async run(args: string[], options: RunOptions = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const prompts: string[] = [];
    const answers = [...(options.answers ?? [])];
    const answer = (question: string, secret: boolean): Promise<string> => {
      prompts.push(secret ? `(secret) ${question}` : question);
      const next = answers.shift();
      if (next === undefined) return Promise.reject(new Error(`unexpected prompt: ${question}`));
      return Promise.resolve(typeof next === 'string' ? next : next({ stdout, stderr }));
    };
    const io: CliIo = {
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
      stdout: { write: (text) => void (stdout += text), isTTY: options.tty === true, columns: 120 },
      stderr: { write: (text) => void (stderr += text), isTTY: options.tty === true, columns: 120 },
      env: { EGIDE_URL: this.url, EGIDE_HOME: this.home, EGIDE_SESSION: this.sessionKey, ...options.env },
      fetch: (input, init) => fetch(input, init),
      interactive: options.answers !== undefined,
      promptSecret: (question) => answer(question, true),
      prompt: (question) => answer(question, false),
    };
    const code = await runCli(['node', 'egide', ...args], io);
    return { code, stdout, stderr, prompts };
  }

  /** Signs in with a password from stdin and keeps the printed session key. */
  async login(email: string, password: string, totp: string): Promise<CliRun> {
    const result = await this.run(['login', '--email', email, '--totp', totp, '--raw', '--password-stdin'], { stdin: `${password}\n` });
    if (result.code === 0) this.sessionKey = result.stdout.trim();
    return result;
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
