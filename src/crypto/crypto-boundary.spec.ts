import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The promise "a seized server holds no key" is kept by construction: outside the
// client SDK (src/client) and the CLI built on it (src/cli), no source file may import
// the SDK or call a libsodium operation that takes a secret key.
const srcRoot = resolve(__dirname, '..');
const clientSides = [join(srcRoot, 'client'), join(srcRoot, 'cli')];

const SECRET_KEY_OPERATIONS = [
  'crypto_box_seal_open',
  'crypto_box_open',
  'crypto_box_easy',
  'crypto_box_keypair',
  'crypto_box_seed_keypair',
  'crypto_box_beforenm',
  'crypto_sign_detached',
  'crypto_sign_keypair',
  'crypto_sign_seed_keypair',
  'crypto_sign_ed25519_sk',
  'crypto_sign(',
  'crypto_aead_xchacha20poly1305_ietf_decrypt',
  'crypto_aead_xchacha20poly1305_ietf_encrypt',
  'crypto_secretbox',
  'crypto_secretstream',
  'crypto_kdf_derive_from_key',
  'crypto_scalarmult',
  'crypto_kx',
  'randombytes_buf',
];

function serverSourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (!clientSides.includes(path)) files.push(...serverSourceFiles(path));
    } else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.e2e-spec.ts')) {
      files.push(path);
    }
  }
  return files;
}

function importedPaths(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

describe('crypto boundary', () => {
  const files = serverSourceFiles(srcRoot);

  it('finds the shared crypto module among the server sources', () => {
    expect(files.map((f) => relative(srcRoot, f))).toContain(join('crypto', 'envelope.ts'));
  });

  it('never imports the client SDK from server code', () => {
    const offenders = files.flatMap((file) =>
      importedPaths(file)
        .filter((target) => clientSides.some((client) => target === client || target.startsWith(client + sep)))
        .map((target) => `${relative(srcRoot, file)} → ${relative(srcRoot, target)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('never calls a libsodium secret-key operation from server code', () => {
    const offenders = files.flatMap((file) => {
      // Comments may name an operation (to say it is not done here); code may not.
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      return SECRET_KEY_OPERATIONS.filter((operation) => source.includes(operation)).map(
        (operation) => `${relative(srcRoot, file)} uses ${operation}`,
      );
    });
    expect(offenders).toEqual([]);
  });
});

// The SDK (src/client, src/crypto) runs in browsers (docs/sdk.md): no Node module, and
// server code only as types, which leave nothing behind at run time. tsconfig.sdk.json
// (npm run typecheck:sdk) and the bundle check (npm run build:sdk) enforce the rest.
describe('SDK boundary', () => {
  const sdkRoots = [join(srcRoot, 'client'), join(srcRoot, 'crypto')];
  // The wire contract (src/contract/): plain lists both sides use at run time.
  const sharedServerValues = [join(srcRoot, 'contract', 'case-vocabulary')];

  function sdkSourceFiles(directory: string): string[] {
    return readdirSync(directory).flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return sdkSourceFiles(path);
      return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
    });
  }

  /** Import and export-from statements with their specifier and whether they are type-only. */
  function imports(file: string): { specifier: string; typeOnly: boolean }[] {
    const source = readFileSync(file, 'utf8');
    return [...source.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map((m) => ({
      specifier: m[2],
      typeOnly: m[1] !== undefined,
    }));
  }

  const files = sdkRoots.flatMap(sdkSourceFiles);

  it('finds the public entry among the SDK sources', () => {
    expect(files).toContain(join(srcRoot, 'client', 'index.ts'));
  });

  it('imports no Node module', () => {
    const offenders = files.flatMap((file) =>
      imports(file)
        .filter(({ specifier }) => specifier.startsWith('node:') || builtinModules.includes(specifier))
        .map(({ specifier }) => `${relative(srcRoot, file)} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('imports server modules only with `import type`', () => {
    const offenders = files.flatMap((file) =>
      imports(file)
        .filter(({ specifier, typeOnly }) => {
          if (typeOnly || !specifier.startsWith('.')) return false;
          const target = resolve(dirname(file), specifier);
          const inSdk = sdkRoots.some((root) => target === root || target.startsWith(root + sep));
          return !inSdk && !sharedServerValues.includes(target);
        })
        .map(({ specifier }) => `${relative(srcRoot, file)} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });
});
