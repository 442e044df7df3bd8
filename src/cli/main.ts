#!/usr/bin/env node
/**
 * The `egide` executable (package.json `bin`): runs the command line on the real
 * process and exits with its code. All behaviour is in cli.ts; nothing else belongs here.
 */
import { runCli } from './cli';
import { realIo } from './terminal-io';

void runCli(process.argv, realIo).then((code) => {
  process.exitCode = code;
});
