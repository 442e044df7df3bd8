#!/usr/bin/env node
/**
 * `npm run typecheck:sdk`: the browser SDK (src/client and src/crypto, tests excluded)
 * type-checked as a browser sees it — tsconfig.sdk.json: lib ES2022 + DOM, no Node
 * types at all — so that a Buffer, a `process` or a `node:*` import in the SDK is a
 * compile error, not a surprise in a user's browser (docs/sdk.md).
 *
 * `tsc -p tsconfig.sdk.json` does the type check; this script adds one guarantee tsc
 * cannot give: that Node's type declarations entered the program by no road at all (a
 * triple-slash reference in a dependency's typings would bring `Buffer` back silently).
 * The SDK imports the server's request and response DTOs with `import type` (one
 * definition of the wire format), so TypeScript checks the server files those DTOs import
 * too; they must compile without Node as well, which keeps wire constants in plain files
 * (src/contract/, access-token.ts) rather than next to server code.
 *
 * Run: node scripts/typecheck-sdk.mjs (no build needed).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sdkDirectories = [resolve(root, 'src/client'), resolve(root, 'src/crypto')];

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

const reported = ts.getPreEmitDiagnostics(program);
const sdkFiles = program.getSourceFiles().filter((file) => isSdkFile(file.fileName)).length;
const serverFiles = program
  .getSourceFiles()
  .filter((file) => !file.isDeclarationFile && !isSdkFile(file.fileName) && !file.fileName.includes('/node_modules/')).length;
if (reported.length > 0) fail(`${reported.length} error(s) in the SDK as a browser sees it`, reported);
process.stdout.write(
  `typecheck:sdk: ${sdkFiles} SDK files and the ${serverFiles} server files they reach through \`import type\` compile with lib DOM and no Node types\n`,
);
