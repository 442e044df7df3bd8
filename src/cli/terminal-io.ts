/**
 * The real process behind `CliIo`: stdout/stderr, the environment, global fetch, and
 * prompts on the terminal. Prompts are written to stderr so that stdout carries only the
 * command's output (`--json`, `export EGIDE_SESSION=…`). A secret prompt switches the
 * terminal to raw mode so the typed characters are never echoed; it must never log or
 * keep what was typed beyond returning it.
 */
import { createInterface } from 'node:readline/promises';
import type { CliIo } from './cli-io';
import { CliError, ExitCode } from './exit-codes';

const ENTER = new Set(['\r', '\n', '\u0004']);
const CTRL_C = '\u0003';
const BACKSPACE = new Set(['\u007f', '\b']);

function readHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (ENTER.has(char)) {
          finish();
          resolve(answer);
          return;
        }
        if (char === CTRL_C) {
          finish();
          reject(new CliError('cancelled', ExitCode.Unexpected));
          return;
        }
        if (BACKSPACE.has(char)) answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readVisible(question: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await lines.question(question);
  } finally {
    lines.close();
  }
}

export const realIo: CliIo = {
  stdin: process.stdin,
  stdout: {
    write: (text) => void process.stdout.write(text),
    get isTTY() {
      return process.stdout.isTTY === true;
    },
    get columns() {
      return process.stdout.columns;
    },
  },
  stderr: {
    write: (text) => void process.stderr.write(text),
    get isTTY() {
      return process.stderr.isTTY === true;
    },
    get columns() {
      return process.stderr.columns;
    },
  },
  env: process.env,
  fetch: (input, init) => fetch(input, init),
  interactive: process.stdin.isTTY === true,
  promptSecret: readHidden,
  prompt: readVisible,
};
