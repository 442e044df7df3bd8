/**
 * The module map of docs/architecture.md, checked on the source: every import of every
 * file under src/ is resolved and judged against the layering rules. A rule broken by a
 * new import fails here with the file, the import and the rule, instead of surfacing as
 * a browser bundle that drags Node in, or a cycle Nest resolves in the wrong order.
 *
 * The layers, from the bottom:
 *   contract, crypto      wire vocabulary and the protocol (no keys): import only themselves
 *   common                server infrastructure: imports contract, crypto, itself
 *   sealed-records        the server's sealed-record kit: common, crypto, contract, itself
 *   features              audit, auth, users, keys, cases, setup, health: each reaches
 *                         another only through its module, its services and the SQL
 *                         fragments it publishes (`*.statements.ts`); types are free,
 *                         and an entity may name another feature's entity (foreign keys)
 *   client (SDK), cli     import server modules only with `import type`
 * and: nothing on the server imports the SDK or the CLI; Nest modules form no cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');

const FEATURES = ['audit', 'auth', 'users', 'keys', 'cases', 'setup', 'health'] as const;
const LIBRARIES = ['contract', 'crypto', 'common', 'sealed-records'] as const;
const CLIENT_SIDE = ['client', 'cli'] as const;
/** What a library may import (besides itself). */
const LIBRARY_MAY_IMPORT: Record<(typeof LIBRARIES)[number], readonly string[]> = {
  contract: [],
  crypto: [],
  common: ['contract', 'crypto'],
  'sealed-records': ['contract', 'crypto', 'common'],
};
/** The surface one feature offers another (value imports). */
const PUBLISHED = /\.(module|service|statements)\.ts$/;
/**
 * Entities name the entities they hold a foreign key to (`@ManyToOne(() => User)`), so
 * that migrations and the drift check see one schema: an entity may import another
 * feature's entity, and nothing else of it.
 */
const ENTITY = /\.entity\.ts$/;

interface Import {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
  readonly text: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Every static import and re-export of a file, with whether it is erased at run time. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.isTypeOnly;
    }
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue;
    const to = resolveModule(file, specifier.text);
    if (to !== undefined) found.push({ from: file, to, typeOnly, text: specifier.text });
  }
  return found;
}

/** The top folder under src/ a file belongs to ('' for src/*.ts, the application's composition root). */
function area(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? '' : parts[0];
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf).filter((edge) => edge.to.startsWith(SRC));
const show = (edge: Import): string => `${relative(ROOT, edge.from)} imports '${edge.text}'`;

describe('the import graph (docs/architecture.md, module map)', () => {
  it('finds the source and its imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(500);
  });

  it('libraries import only the libraries below them, never a feature, the SDK or the CLI', () => {
    const broken = imports.filter((edge) => {
      const from = area(edge.from);
      const to = area(edge.to);
      if (!(LIBRARIES as readonly string[]).includes(from) || from === to) return false;
      return !LIBRARY_MAY_IMPORT[from as (typeof LIBRARIES)[number]].includes(to);
    });
    expect(broken.map(show)).toEqual([]);
  });

  it('the server never imports the SDK or the CLI', () => {
    const broken = imports.filter((edge) => {
      const from = area(edge.from);
      return !(CLIENT_SIDE as readonly string[]).includes(from) && from !== 'scripts' && (CLIENT_SIDE as readonly string[]).includes(area(edge.to));
    });
    expect(broken.map(show)).toEqual([]);
  });

  it('the SDK and the CLI import server modules only as types', () => {
    const broken = imports.filter((edge) => {
      const from = area(edge.from);
      const to = area(edge.to);
      if (!(CLIENT_SIDE as readonly string[]).includes(from) || edge.typeOnly) return false;
      return !(CLIENT_SIDE as readonly string[]).includes(to) && to !== 'crypto' && to !== 'contract';
    });
    expect(broken.map(show)).toEqual([]);
  });

  it('the SDK never imports the CLI', () => {
    expect(imports.filter((edge) => area(edge.from) === 'client' && area(edge.to) === 'cli').map(show)).toEqual([]);
  });

  it('features reach each other only through modules, services and published statements', () => {
    const broken = imports.filter((edge) => {
      const from = area(edge.from);
      const to = area(edge.to);
      if (!(FEATURES as readonly string[]).includes(from) || !(FEATURES as readonly string[]).includes(to) || from === to) return false;
      if (ENTITY.test(edge.from) && ENTITY.test(edge.to)) return false;
      return !edge.typeOnly && !PUBLISHED.test(edge.to);
    });
    expect(broken.map(show)).toEqual([]);
  });

  it('Nest modules form no cycle', () => {
    // A feature may hold more than one module (auth holds AuthModule and SessionsModule, so
    // that users can end sessions without importing what enrols users): the rule is on
    // modules, which is what Nest resolves, and a module imports another by its file.
    const graph = new Map<string, string[]>();
    for (const edge of imports) {
      if (edge.typeOnly || !edge.from.endsWith('.module.ts') || !edge.to.endsWith('.module.ts')) continue;
      graph.set(edge.from, [...(graph.get(edge.from) ?? []), edge.to]);
    }
    const cycles: string[] = [];
    const visit = (node: string, path: readonly string[]): void => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].map((file) => relative(SRC, file)).join(' → '));
        return;
      }
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const module of graph.keys()) visit(module, []);
    expect(graph.size).toBeGreaterThan(3);
    expect([...new Set(cycles)]).toEqual([]);
  });

  it('every folder under src/ is a known layer', () => {
    const known = new Set<string>(['', ...FEATURES, ...LIBRARIES, ...CLIENT_SIDE]);
    expect([...new Set(files.map(area))].filter((name) => !known.has(name))).toEqual([]);
  });
});
