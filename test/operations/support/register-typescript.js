/**
 * Lets a child process of a test run the TypeScript sources as jest does (swc, the same
 * compiler options), so that the server runs as a process of its own, killable, without
 * a build: `node -r ./test/operations/support/register-typescript.js entry.ts`.
 * Node 20.19+ loads the ESM-only NestJS packages through require() by itself; only our
 * own .ts files need compiling.
 */
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before any TypeScript can */
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
