/**
 * What the CLI needs of the outside world, injected so that tests run `runCli` in-process
 * against a real server: streams, environment, prompts and fetch. Nothing here reads
 * process.* directly; terminal-io.ts binds it to the real process.
 */
import type { Readable } from 'node:stream';

export interface CliOutputStream {
  write(text: string): void;
  /** True when a person is watching (tables, progress bars, hints). */
  readonly isTTY: boolean;
  readonly columns?: number;
}

export interface CliIo {
  /** Read only when a command is told to (`--password-stdin`). */
  readonly stdin: Readable;
  readonly stdout: CliOutputStream;
  readonly stderr: CliOutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: typeof fetch;
  /** Whether prompts can reach a person; when false the CLI asks for options instead. */
  readonly interactive: boolean;
  /** Asks on the terminal without echo. Only called when `interactive`. */
  promptSecret(question: string): Promise<string>;
  /** Asks on the terminal with echo (a TOTP code, a fingerprint). Only called when `interactive`. */
  prompt(question: string): Promise<string>;
}
