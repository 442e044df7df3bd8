#!/usr/bin/env node
/**
 * `npm run build:sdk`: the SDK's one public entry (src/client/index.ts) bundled with
 * esbuild for browsers — one ES module, dist/sdk/egide-sdk.js, libsodium's WASM inside —
 * and refused if anything of Node reached it (docs/sdk.md):
 *
 * - platform "browser": a `require`/`import` of a Node built-in that nothing maps away is
 *   a build error, and nothing is marked external;
 * - the one built-in a dependency names and maps away in its own package.json "browser"
 *   field is allowed by name below, with the reason; any other such mapping fails;
 * - a free `Buffer`, `process`, `global`, `__dirname`, `__filename`, `setImmediate` or
 *   `clearImmediate` anywhere in the bundle fails (they are replaced by marker names at
 *   build time and looked for afterwards; `globalThis.process?.…` feature tests are not
 *   free references and stay);
 * - no server source may be bundled: only src/client, src/crypto and the case vocabulary
 *   (plain constant lists, no imports) — a value import of a DTO would drag
 *   class-validator and Nest's decorators in; and only the packages listed below.
 *
 * Run: node scripts/build-sdk.mjs [--outfile <path>]   (default dist/sdk/egide-sdk.js)
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Not `require`: esbuild resolves every require() call at build time (an unresolvable
// built-in already fails a browser build), and renaming it would stop esbuild doing so.
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename', 'setImmediate', 'clearImmediate'];
const MARKER = 'EGIDE_SDK_NODE_GLOBAL_';

/** Source files of this repository the bundle may contain. */
const ALLOWED_SOURCES = [/^src\/client\//, /^src\/crypto\//, /^src\/contract\//];

/**
 * The packages the SDK may bundle: libsodium and its glue, and the password-strength
 * estimator with its dictionaries. Not class-validator, class-transformer or any Nest
 * package: DTOs reach the SDK as types only.
 */
const PACKAGES = ['libsodium-wrappers-sumo', 'libsodium-sumo', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common', '@zxcvbn-ts/dictionary-compression', 'fastest-levenshtein'];

/**
 * Node built-ins a dependency maps to nothing in its package.json "browser" field, by the
 * importing package. libsodium's emscripten glue falls back to `require("crypto")` only
 * when no `getRandomValue` was given; libsodium-wrappers always gives one (WebCrypto's
 * getRandomValues), so the fallback never runs.
 */
const DISABLED_BUILTINS = { 'node_modules/libsodium-sumo/': ['crypto'] };

function outfileFromArguments(argv) {
  const at = argv.indexOf('--outfile');
  if (at === -1) return resolve(root, 'dist/sdk/egide-sdk.js');
  if (argv[at + 1] === undefined) throw new Error('--outfile needs a path');
  return resolve(argv[at + 1]);
}

/** Builds the SDK bundle at `outfile` and checks it; throws, naming the offender, if it is not browser-clean. */
export async function buildSdk(outfile) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/client/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    tsconfig: 'tsconfig.sdk.json',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, MARKER + name])),
  });
  const problems = [];
  for (const [input, { imports }] of Object.entries(result.metafile.inputs)) {
    if (input.startsWith('(disabled):')) continue;
    if (!input.startsWith('node_modules/') && !ALLOWED_SOURCES.some((pattern) => pattern.test(input))) {
      problems.push(`${input} is server code; the SDK may import it only with \`import type\``);
    }
    const packageName = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (packageName !== undefined && !PACKAGES.includes(packageName)) {
      problems.push(`${input}: ${packageName} is not one of the SDK's packages (check that it runs in a browser, then add it to PACKAGES)`);
    }
    for (const entry of imports) {
      if (entry.path.startsWith('(disabled):')) {
        const owner = Object.keys(DISABLED_BUILTINS).find((prefix) => input.startsWith(prefix));
        if (owner === undefined || !DISABLED_BUILTINS[owner].includes(entry.original)) {
          problems.push(`${input} needs Node's "${entry.original}" (mapped away by its package's "browser" field, not allowed here)`);
        }
      }
    }
  }
  // What the bundle still imports at run time (an external): nothing may be left over.
  for (const [output, { imports }] of Object.entries(result.metafile.outputs)) {
    for (const entry of imports) problems.push(`${output} imports ${entry.path} at run time (left external)`);
  }
  const bundle = readFileSync(outfile, 'utf8');
  const lines = bundle.split('\n');
  let module = '(bundle prelude)';
  for (const line of lines) {
    // esbuild starts each module's code with a `// path` comment when not minifying.
    const start = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(line);
    if (start !== null) module = start[1];
    for (const found of line.matchAll(new RegExp(`${MARKER}(\\w+)`, 'g'))) {
      problems.push(`${module} uses Node's global ${found[1]}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`the SDK bundle is not browser-clean:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const inputs = Object.keys(result.metafile.inputs);
  return {
    outfile,
    bytes: Buffer.byteLength(bundle),
    sources: inputs.filter((input) => input.startsWith('src/')).length,
    packages: new Set(inputs.map((input) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]).filter((name) => name !== undefined)),
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildSdk(outfileFromArguments(process.argv.slice(2)));
    process.stdout.write(
      `build:sdk: ${relative(process.cwd(), built.outfile)} (${(built.bytes / 1024).toFixed(0)} KiB, ESM, platform browser): ` +
        `${built.sources} SDK sources, packages ${[...built.packages].sort().join(', ')}; no Node built-ins or globals\n`,
    );
  } catch (error) {
    process.stderr.write(`build:sdk: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
