/**
 * How commands speak: the command's result on stdout (JSON with `--json`, text or a
 * table otherwise), everything else (hints, warnings, progress) on stderr, so that
 * `egide … --json | jq` and `eval "$(egide login)"` see only the result. It must never
 * print a token, a seed or a password: commands hand it only what they exist to show.
 */
import type { CliIo, CliOutputStream } from './cli-io';

export interface TableColumn<Row> {
  header: string;
  value: (row: Row) => string;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): string {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => oneLine(column.value(row))))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  return cells
    .map((line) => line.map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index]))).join('  ').trimEnd())
    .join('\n');
}

/** A cell never breaks the table: control characters from the server are shown, not obeyed. */
function oneLine(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    shown += code < 0x20 || code === 0x7f ? '?' : char;
  }
  return shown;
}

export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  get stderr(): CliOutputStream {
    return this.io.stderr;
  }

  /** The command's result: `value` as JSON with --json, else the text `human()` makes. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human();
      if (text !== '') this.io.stdout.write(`${text}\n`);
    }
  }

  /** Text for a person, on stdout, only without --json (where `result` speaks instead). */
  text(text: string): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** A list: JSON as the server sent it, else a table, and the cursor of the next page. */
  list<Row>(page: { items: Row[]; nextCursor: string | null }, columns: readonly TableColumn<Row>[], empty: string): void {
    this.result(page, () => (page.items.length === 0 ? empty : renderTable(page.items, columns)));
    if (!this.json && page.nextCursor !== null) this.note(`more: repeat with --cursor ${page.nextCursor}`);
  }

  /** A remark for the person at the terminal, on stderr. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}

/** Key/value lines for one object, aligned. */
export function renderFields(fields: readonly [string, string][]): string {
  const width = Math.max(...fields.map(([name]) => name.length));
  return fields.map(([name, value]) => `${`${name}:`.padEnd(width + 1)} ${oneLine(value)}`).join('\n');
}

const BAR_WIDTH = 30;

/**
 * Progress of a long operation on stderr: a bar redrawn in place on a terminal, one
 * plain line per step otherwise (logs, CI).
 */
export class ProgressReporter {
  private drawn = false;

  constructor(private readonly stream: CliOutputStream) {}

  update(fraction: number, label: string): void {
    if (!this.stream.isTTY) {
      this.stream.write(`${label}\n`);
      return;
    }
    const clamped = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(clamped * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}% ${label}`;
    // \x1b[K clears what a longer previous label left behind.
    this.stream.write(`\r${bar}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
