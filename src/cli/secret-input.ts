/**
 * Where the CLI gets secrets (passwords, the setup token, an invitation code, a recovery
 * key): a prompt without echo on a terminal, or, for scripts, one line per secret from
 * stdin (`--password-stdin`), a file descriptor (`--password-fd N`) or a file
 * (`--password-file PATH`), in the order each command documents. Never from argv, where
 * `ps` and shell history would show them. This module must never print or log a secret.
 */
import { readFileSync, statSync } from 'node:fs';
import type { CliIo } from './cli-io';
import { CliError, ExitCode } from './exit-codes';

/** How often a person may choose a refused password before the command stops. */
const MAX_NEW_SECRET_ATTEMPTS = 3;

export interface SecretSourceOptions {
  passwordStdin?: boolean;
  passwordFd?: number;
  passwordFile?: string;
}

export class SecretInput {
  private lines: string[] | undefined;
  private consumed = 0;

  constructor(
    private readonly io: CliIo,
    private readonly source: SecretSourceOptions,
  ) {
    const chosen = [source.passwordStdin === true, source.passwordFd !== undefined, source.passwordFile !== undefined].filter(Boolean);
    if (chosen.length > 1) throw new CliError('choose one of --password-stdin, --password-fd and --password-file', ExitCode.Usage);
  }

  private get scripted(): boolean {
    return this.source.passwordStdin === true || this.source.passwordFd !== undefined || this.source.passwordFile !== undefined;
  }

  /** The next secret: the next line of the scripted source, or a prompt without echo. */
  async read(label: string): Promise<string> {
    if (this.scripted) {
      const lines = await this.scriptedLines();
      const line = lines[this.consumed];
      this.consumed += 1;
      if (line === undefined || line === '') {
        throw new CliError(`expected the ${label} on line ${this.consumed} of ${this.describeSource()}`, ExitCode.Usage);
      }
      return line;
    }
    if (!this.io.interactive) {
      throw new CliError(`no terminal to ask for the ${label}`, ExitCode.Usage, 'Pass secrets one per line with --password-stdin, --password-fd N or --password-file PATH.');
    }
    const answer = await this.io.promptSecret(`${capitalise(label)}: `);
    if (answer === '') throw new CliError(`the ${label} is empty`, ExitCode.Usage);
    return answer;
  }

  /**
   * A password being chosen. `weaknesses` says what is wrong with it (nothing: acceptable).
   * On a terminal a refused one is explained and asked for again (three tries), and an
   * accepted one is typed twice; from a script a refused one stops the command (exit 7)
   * before any request is sent.
   */
  async readNew(label: string, weaknesses: (value: string) => readonly string[] = () => []): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const first = await this.read(label);
      const problems = weaknesses(first);
      if (problems.length === 0) {
        if (!this.scripted) {
          const again = await this.io.promptSecret(`Repeat the ${label}: `);
          if (again !== first) throw new CliError(`the two ${label}s differ`, ExitCode.Usage);
        }
        return first;
      }
      const refusal = `the ${label} is too weak: ${problems.join('; ')}`;
      if (this.scripted || attempt === MAX_NEW_SECRET_ATTEMPTS) throw new CliError(refusal, ExitCode.InvalidInput);
      this.io.stderr.write(`egide: ${refusal}. Choose another.\n`);
    }
  }

  private describeSource(): string {
    if (this.source.passwordFd !== undefined) return `file descriptor ${this.source.passwordFd}`;
    if (this.source.passwordFile !== undefined) return this.source.passwordFile;
    return 'stdin';
  }

  private async scriptedLines(): Promise<string[]> {
    if (this.lines === undefined) {
      const text = await this.readSource();
      // One secret per line; a trailing newline (echo, printf '%s\n') ends the last one.
      this.lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
    }
    return this.lines;
  }

  private async readSource(): Promise<string> {
    if (this.source.passwordFd !== undefined) {
      try {
        return readFileSync(this.source.passwordFd, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read file descriptor ${this.source.passwordFd}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, ExitCode.Usage);
      }
    }
    if (this.source.passwordFile !== undefined) {
      const path = this.source.passwordFile;
      try {
        if ((statSync(path).mode & 0o077) !== 0) {
          this.io.stderr.write(`egide: warning: ${path} is readable by other users; chmod 600 it\n`);
        }
        return readFileSync(path, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, ExitCode.Usage);
      }
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
