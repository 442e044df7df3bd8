#!/usr/bin/env node
/**
 * `npm run typecheck:sdk`: the browser SDK (src/client and src/crypto, tests excluded)
 * type-checked as a browser sees it — tsconfig.sdk.json: lib ES2022 + DOM, no Node
 * types at all — so that a Buffer, a `process` or a `node:*` import in the SDK is a
 * compile error, not a surprise in a user's browser (docs/sdk.md).
 *
 * Why a script rather than plain `tsc -p tsconfig.sdk.json`: the SDK imports the server's
 * request and response DTOs with `import type` (one definition of the wire format), and
 * TypeScript then type-checks the files those DTOs import too. Some of them are server
 * code that needs Node (a repository whose record type a response DTO maps from, a token
 * service whose TTL constant a DTO documents, the cursor codec next to PAGE_LIMIT_MAX).
 * Nothing of them reaches the bundle (`import type` is erased), and they are checked with
 * their real environment by `npm run typecheck`. So this check reports every diagnostic
 * in an SDK file, every diagnostic that belongs to no file, and every diagnostic in a
 * server file except "this needs Node" ones (a Node global, namespace or module that is
 * deliberately absent here); those it names in one line, so the coupling stays visible.
 * It also fails if Node's type declarations entered the program by any road.
 *
 * Run: node scripts/typecheck-sdk.mjs (no build needed).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sdkDirectories = [resolve(root, 'src/client'), resolve(root, 'src/crypto')];

// TS2591/TS2580: "Cannot find name 'X'. Do you need to install type definitions for
// node?"; TS2503: cannot find namespace; TS2304/TS2552: cannot find name; TS2307: module.
const MISSING_NAME_CODES = new Set([2304, 2307, 2503, 2552, 2580, 2591]);
const NODE_NAMES = /'(?:Buffer|BufferEncoding|process|require|module|global|__dirname|__filename|NodeJS|setImmediate|clearImmediate|node:[a-z_/]+)'/;

const isSdkFile = (fileName) => sdkDirectories.some((directory) => resolve(fileName).startsWith(directory + sep));

const host = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

function fail(message, diagnostics = []) {
  if (diagnostics.length > 0) process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  process.stderr.write(`typecheck:sdk: ${message}\n`);
  process.exit(1);
}

const configPath = resolve(root, 'tsconfig.sdk.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail('tsconfig.sdk.json does not parse', [diagnostic]),
});
if (parsed === undefined) fail('tsconfig.sdk.json does not parse');
if (parsed.errors.length > 0) fail('tsconfig.sdk.json has errors', parsed.errors);

const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const nodeTypes = program.getSourceFiles().filter((file) => file.fileName.includes('/node_modules/@types/node/'));
if (nodeTypes.length > 0) {
  fail(`Node's type declarations entered the SDK program (${relative(root, nodeTypes[0].fileName)}); the SDK must compile without them`);
}

const reported = [];
const needsNode = new Set();
for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
  const file = diagnostic.file?.fileName;
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (file !== undefined && !isSdkFile(file) && MISSING_NAME_CODES.has(diagnostic.code) && NODE_NAMES.test(message)) {
    needsNode.add(relative(root, file));
  } else {
    reported.push(diagnostic);
  }
}

const sdkFiles = program.getSourceFiles().filter((file) => isSdkFile(file.fileName)).length;
const serverFiles = program
  .getSourceFiles()
  .filter((file) => !file.isDeclarationFile && !isSdkFile(file.fileName) && !file.fileName.includes('/node_modules/')).length;
if (reported.length > 0) fail(`${reported.length} error(s) in the SDK as a browser sees it`, reported);
process.stdout.write(
  `typecheck:sdk: ${sdkFiles} SDK files compile with lib DOM and no Node types` +
    ` (${serverFiles} server files reached through \`import type\`; ${needsNode.size} of them need Node and are checked by npm run typecheck: ${[...needsNode].sort().join(', ')})\n`,
);
