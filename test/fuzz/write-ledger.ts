/**
 * "A 4xx writes nothing", measured in PostgreSQL itself: a row trigger on every table of
 * the fuzzer's own database (a clone, dropped at the end) counts each inserted, updated
 * or deleted row by table, operation and — for an update — the columns it changed, in
 * the writing transaction. A rolled-back write therefore counts nothing, and an UPDATE
 * that leaves row counts alone is still seen: stricter than comparing row counts. The
 * ledger is read before and after each request (requests go one at a time).
 *
 * The exceptions are written down here and nowhere else (docs/testing.md): what a
 * refused request may write because the refusal itself must leave a trace. They are
 * counted and reported apart, never hidden.
 */
import { Client } from 'pg';

export interface Write {
  table: string;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  /** For an UPDATE: the changed columns, comma-separated ('' when none changed). */
  columns: string;
  rows: number;
}

/** What a refused (4xx) request may write, and why. */
export const REFUSAL_WRITES: readonly { table: string; operations: readonly Write['operation'][]; columns?: readonly string[]; why: string }[] = [
  { table: 'audit_events', operations: ['INSERT'], why: 'a denial (403) or a refused sign-in is audited' },
  {
    table: 'audit_repeats',
    operations: ['INSERT', 'UPDATE', 'DELETE'],
    why: "an identical refusal repeated is counted on one row; a closed hour's count moves into the trail",
  },
  {
    table: 'users',
    operations: ['UPDATE'],
    // The columns of the two credential locks (auth.repository.ts LOCK_COLUMNS), nothing else.
    columns: ['failed_attempts', 'locked_until', 'lockouts', 'recovery_failed_attempts', 'recovery_locked_until', 'recovery_lockouts', 'updated_at'],
    why: 'a refused sign-in or recovery counts towards the lock of that credential',
  },
  {
    table: 'sign_in_address_failures',
    operations: ['INSERT', 'UPDATE', 'DELETE'],
    why: 'a refused sign-in counts towards the limit of its client address; opening a new window removes the ended ones',
  },
  {
    table: 'rate_limit_windows',
    operations: ['INSERT', 'UPDATE', 'DELETE'],
    why: "every request counts towards its client's rate limits, shared by the instances; each minute the ended windows are purged",
  },
];

export function isRefusalWrite(write: Write): boolean {
  return REFUSAL_WRITES.some(
    (allowed) =>
      allowed.table === write.table &&
      allowed.operations.includes(write.operation) &&
      (allowed.columns === undefined || write.columns.split(',').every((column) => column === '' || allowed.columns?.includes(column))),
  );
}

const LEDGER_TABLE = 'fuzz_write_ledger';

export class WriteLedger {
  private constructor(private readonly db: Client) {}

  /** Adds the ledger table and a counting trigger to every other table of `databaseUrl`. */
  static async install(databaseUrl: string): Promise<WriteLedger> {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`
      CREATE TABLE ${LEDGER_TABLE} (relation text, operation text, columns text, rows bigint NOT NULL,
                                    PRIMARY KEY (relation, operation, columns));
      CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE changed text := '';
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          SELECT coalesce(string_agg(n.key, ',' ORDER BY n.key), '') INTO changed
            FROM jsonb_each(to_jsonb(NEW)) n WHERE n.value IS DISTINCT FROM (to_jsonb(OLD) -> n.key);
        END IF;
        INSERT INTO ${LEDGER_TABLE} VALUES (TG_TABLE_NAME, TG_OP, changed, 1)
          ON CONFLICT (relation, operation, columns) DO UPDATE SET rows = ${LEDGER_TABLE}.rows + 1;
        RETURN NULL;
      END $$;`);
    for (const table of await tablesOf(db)) {
      await db.query(`CREATE TRIGGER fuzz_count_write AFTER INSERT OR UPDATE OR DELETE ON ${db.escapeIdentifier(table)}
                      FOR EACH ROW EXECUTE FUNCTION fuzz_count_write()`);
    }
    return new WriteLedger(db);
  }

  async snapshot(): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ relation: string; operation: string; columns: string; rows: string }>(`SELECT * FROM ${LEDGER_TABLE}`);
    return new Map(rows.map((row) => [`${row.relation} ${row.operation} ${row.columns}`, Number(row.rows)]));
  }

  static diff(before: Map<string, number>, after: Map<string, number>): Write[] {
    const writes: Write[] = [];
    for (const [key, count] of after) {
      const rows = count - (before.get(key) ?? 0);
      if (rows === 0) continue;
      const [table, operation, columns = ''] = key.split(' ');
      writes.push({ table, operation: operation as Write['operation'], columns, rows });
    }
    return writes;
  }

  /** Exact row counts of every table (the report shows how the run grew them). */
  async rowCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of await tablesOf(this.db)) {
      const { rows } = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.db.escapeIdentifier(table)}`);
      counts[table] = Number(rows[0].n);
    }
    return counts;
  }

  close(): Promise<void> {
    return this.db.end();
  }
}

async function tablesOf(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1 AND tablename NOT LIKE '%migrations%' ORDER BY tablename`,
    [LEDGER_TABLE],
  );
  return rows.map((row) => row.tablename);
}
