/**
 * What a run saw, and how it is told: statuses per route (method and path template),
 * findings grouped by route, mutation, status and problem type so that one root cause
 * reads as one line (with the variants seen and a first request that shows it), the
 * refusal writes the ledger allows (counted, with what grew them), and how the tables
 * grew over the run.
 */
import type { Subject } from './fuzz-environment';
import type { Write } from './write-ledger';

export interface Finding {
  kind: string;
  route: string;
  mutation: string;
  variant: string;
  subject: Subject;
  status: number;
  problemType: string;
  detail: string;
  note?: string;
  request: string;
  response: string;
}

interface FindingGroup {
  first: Finding;
  count: number;
  variants: Set<string>;
  subjects: Set<Subject>;
}

export class FuzzReport {
  readonly statuses = new Map<string, Map<number, number>>();
  /** Milliseconds spent waiting for answers, per route. */
  readonly serverMs = new Map<string, number>();
  /** Where the run's time went. */
  phaseMs: Record<string, number> = {};
  readonly mutations = new Map<string, number>();
  readonly sources = new Map<string, number>();
  readonly refusalWrites = new Map<string, { rows: number; by: Map<string, number> }>();
  readonly groups = new Map<string, FindingGroup>();
  sessionsReopened = 0;
  readonly lostSessions = new Set<string>();
  requests = 0;
  elapsedMs = 0;
  rowsBefore: Record<string, number> = {};
  rowsAfter: Record<string, number> = {};

  constructor(
    readonly seed: number,
    readonly budget: number,
  ) {}

  count(route: string, status: number, elapsedMs: number, mutation: string, source: string): void {
    this.requests += 1;
    this.serverMs.set(route, (this.serverMs.get(route) ?? 0) + elapsedMs);
    const row = this.statuses.get(route) ?? this.statuses.set(route, new Map()).get(route)!;
    row.set(status, (row.get(status) ?? 0) + 1);
    this.mutations.set(mutation, (this.mutations.get(mutation) ?? 0) + 1);
    this.sources.set(source, (this.sources.get(source) ?? 0) + 1);
  }

  countRefusalWrites(route: string, status: number, writes: readonly Write[]): void {
    for (const write of writes) {
      const key = `${write.operation} ${write.table}${write.columns === '' ? '' : ` (${write.columns})`}`;
      const entry = this.refusalWrites.get(key) ?? this.refusalWrites.set(key, { rows: 0, by: new Map() }).get(key)!;
      entry.rows += write.rows;
      const by = `${status} ${route}`;
      entry.by.set(by, (entry.by.get(by) ?? 0) + write.rows);
    }
  }

  /** Returns true when the finding opens a new group (a new class of failure). */
  add(finding: Finding): boolean {
    const key = [finding.kind, finding.route, finding.mutation, finding.status, finding.problemType].join(' | ');
    const group = this.groups.get(key);
    if (group !== undefined) {
      group.count += 1;
      if (group.variants.size < 12) group.variants.add(finding.variant);
      group.subjects.add(finding.subject);
      return false;
    }
    this.groups.set(key, { first: finding, count: 1, variants: new Set([finding.variant]), subjects: new Set([finding.subject]) });
    return true;
  }

  findingCount(): number {
    return [...this.groups.values()].reduce((sum, group) => sum + group.count, 0);
  }

  serverErrors(): number {
    return [...this.statuses.values()].reduce((sum, row) => sum + [...row].filter(([status]) => status >= 500).reduce((s, [, n]) => s + n, 0), 0);
  }

  statusTable(): string {
    const statuses = [...new Set([...this.statuses.values()].flatMap((row) => [...row.keys()]))].sort((a, b) => a - b);
    const routes = [...this.statuses.keys()].sort();
    const width = Math.max(...routes.map((route) => route.length), 5);
    const header = `${'route'.padEnd(width)} ${statuses.map((s) => String(s).padStart(6)).join(' ')}  total  mean ms`;
    const lines = routes.map((route) => {
      const row = this.statuses.get(route)!;
      const total = [...row.values()].reduce((a, b) => a + b, 0);
      const mean = (this.serverMs.get(route) ?? 0) / Math.max(total, 1);
      return `${route.padEnd(width)} ${statuses.map((s) => String(row.get(s) ?? '').padStart(6)).join(' ')}  ${String(total).padStart(5)}  ${mean.toFixed(1).padStart(7)}`;
    });
    const totals = statuses.map((s) => [...this.statuses.values()].reduce((sum, row) => sum + (row.get(s) ?? 0), 0));
    return [header, ...lines, `${'all routes'.padEnd(width)} ${totals.map((n) => String(n).padStart(6)).join(' ')}  ${String(this.requests).padStart(5)}`].join('\n');
  }

  findingsSummary(): string {
    if (this.groups.size === 0) return 'No findings.';
    return [...this.groups.values()]
      .sort((a, b) => a.first.route.localeCompare(b.first.route) || b.count - a.count)
      .map(({ first, count, variants, subjects }) =>
        [
          `- ${first.kind} ×${count}: ${first.route} | ${first.mutation} | ${first.status} ${first.problemType}`,
          `  variants: ${[...variants].join('; ')}`,
          `  as: ${[...subjects].join(', ')}`,
          `  detail: ${first.detail}${first.note === undefined ? '' : `\n  note: ${first.note}`}`,
          `  request: ${first.request.replace(/\n/g, '\n           ')}`,
          `  response: ${first.response.replace(/\n/g, '\n            ')}`,
        ].join('\n'),
      )
      .join('\n');
  }

  render(): string {
    const seconds = this.elapsedMs / 1000;
    const growth = Object.keys(this.rowsAfter)
      .filter((table) => this.rowsAfter[table] !== this.rowsBefore[table])
      .map((table) => `${table} ${this.rowsBefore[table] ?? 0} → ${this.rowsAfter[table]}`);
    const refusals = [...this.refusalWrites].map(
      ([key, { rows, by }]) =>
        `${key}: ${rows} rows (${((rows * 1000) / Math.max(1, this.requests)).toFixed(1)} per 1,000 requests); most from ${[...by]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([what, n]) => `${what} ×${n}`)
          .join(', ')}`,
    );
    return [
      `Fuzz run: seed ${this.seed} (replay: FUZZ_SEED=${this.seed} FUZZ_REQUESTS=${this.budget}), ${this.requests} requests in ${seconds.toFixed(1)} s (${(this.requests / Math.max(seconds, 0.001)).toFixed(0)} requests/s)`,
      `Responses >= 500: ${this.serverErrors()}; findings: ${this.findingCount()} in ${this.groups.size} groups`,
      '',
      'Statuses per route:',
      this.statusTable(),
      '',
      `Time: ${Object.entries(this.phaseMs).map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`).join(', ')}`,
      `Requests by mutation: ${[...this.mutations].sort().map(([name, n]) => `${name} ${n}`).join(', ')}`,
      `Valid requests from: ${[...this.sources].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join('; ')}`,
      `Sessions reopened after the fuzzer ended them: ${this.sessionsReopened}${this.lostSessions.size > 0 ? `; lost for the run: ${[...this.lostSessions].join(', ')}` : ''}`,
      `Writes by refused requests (allowed, see write-ledger.ts): ${refusals.length === 0 ? 'none' : `\n  ${refusals.join('\n  ')}`}`,
      `Rows grown over the run: ${growth.length === 0 ? 'none' : growth.join(', ')}`,
      '',
      'Findings:',
      this.findingsSummary(),
      '',
    ].join('\n');
  }
}
