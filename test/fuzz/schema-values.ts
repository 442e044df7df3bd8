/**
 * The generic generator: a value that the OpenAPI schema says is valid, for any schema
 * (enums, formats, ranges, lengths, simple `pattern`s, `example`s, nested objects and
 * arrays). It is the fallback of every operation that has no factory, and the reason a
 * new route is fuzzed with plausible input on its first day.
 *
 * Free text carries a marker (`FZ` + 8 characters): an error body that contains one
 * echoed a value it was sent.
 */
import type { Prng } from './prng';
import type { Schema } from './operations';

export const MARKER_PATTERN = /FZ[0-9a-z]{8}/;

export function marker(rng: Prng): string {
  return `FZ${rng.text(8)}`;
}

/** A valid value for a resolved `schema` (as far as the schema can say). */
export function valueFor(schema: Schema | undefined, rng: Prng, depth = 0): unknown {
  const resolved = schema ?? {};
  if (resolved.oneOf !== undefined || resolved.anyOf !== undefined) {
    return valueFor(rng.pick(resolved.oneOf ?? resolved.anyOf ?? []), rng, depth);
  }
  if (resolved.enum !== undefined && resolved.enum.length > 0) return rng.pick(resolved.enum);
  switch (resolved.type ?? (resolved.properties !== undefined ? 'object' : undefined)) {
    case 'string':
      return stringFor(resolved, rng);
    case 'integer':
    case 'number': {
      const min = resolved.minimum ?? 0;
      const max = resolved.maximum ?? min + 5;
      return rng.int(Math.ceil(min), Math.floor(Math.min(max, min + 1000)));
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'array': {
      const min = resolved.minItems ?? (depth === 0 ? 0 : 1);
      const max = Math.min(resolved.maxItems ?? min + 3, min + 3);
      const items = resolved.items ?? {};
      const count = depth > 6 ? min : rng.int(min, Math.max(min, max));
      if (items.enum !== undefined) {
        // Enum lists are usually sets: distinct members.
        const pool = [...items.enum];
        return Array.from({ length: Math.min(count, pool.length) }, () => pool.splice(rng.int(0, pool.length - 1), 1)[0]);
      }
      return Array.from({ length: count }, () => valueFor(items, rng, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(resolved.required ?? []);
      for (const [name, property] of Object.entries(resolved.properties ?? {})) {
        if (required.has(name) || (depth < 6 && rng.chance(0.5))) out[name] = valueFor(property, rng, depth + 1);
      }
      return out;
    }
    default:
      return resolved.example ?? marker(rng);
  }
}

function stringFor(schema: Schema, rng: Prng): string {
  const fits = (text: string): boolean => text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Infinity);
  switch (schema.format) {
    case 'uuid':
      return rng.uuid();
    case 'date-time':
      return `${rng.int(2030, 2035)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}T1${rng.int(0, 9)}:00:00.000Z`;
    case 'date':
      return `${rng.int(2030, 2035)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`;
    case 'email':
      return `${marker(rng).toLowerCase()}@example.org`;
  }
  if (schema.pattern !== undefined) {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const text = textMatching(schema.pattern, rng);
      if (text !== undefined && fits(text)) return text;
    }
  }
  if (typeof schema.example === 'string' && fits(schema.example) && rng.chance(0.5)) return schema.example;
  const text = marker(rng);
  const min = schema.minLength ?? 0;
  const padded = text.length < min ? text + rng.text(min - text.length) : text;
  return padded.slice(0, schema.maxLength ?? padded.length);
}

// ---- A small regular-expression generator: enough for the patterns DTOs use. ----

type Pattern =
  | { kind: 'sequence'; items: Pattern[] }
  | { kind: 'choice'; options: Pattern[] }
  | { kind: 'characters'; set: string }
  | { kind: 'repeat'; item: Pattern; min: number; max: number };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const CLASS_ESCAPES: Record<string, string> = {
  d: '0123456789',
  w: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_',
  s: ' ',
};

class Unsupported extends Error {}

/** A string matching `source`, or undefined when the pattern uses what this parser does not know. */
export function textMatching(source: string, rng: Prng): string | undefined {
  try {
    const parser = new PatternParser(source);
    const tree = parser.choice();
    if (!parser.done()) throw new Unsupported(source);
    const text = generate(tree, rng);
    return new RegExp(source, 'u').test(text) ? text : undefined;
  } catch (error) {
    if (error instanceof Unsupported || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function generate(pattern: Pattern, rng: Prng): string {
  switch (pattern.kind) {
    case 'sequence':
      return pattern.items.map((item) => generate(item, rng)).join('');
    case 'choice':
      return generate(rng.pick(pattern.options), rng);
    case 'characters':
      return rng.pick([...pattern.set]);
    case 'repeat': {
      let out = '';
      for (let i = rng.int(pattern.min, pattern.max); i > 0; i -= 1) out += generate(pattern.item, rng);
      return out;
    }
  }
}

class PatternParser {
  private at = 0;

  constructor(private readonly source: string) {}

  done(): boolean {
    return this.at >= this.source.length;
  }

  choice(): Pattern {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at += 1;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { kind: 'choice', options };
  }

  private sequence(): Pattern {
    const items: Pattern[] = [];
    while (!this.done() && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom !== undefined) items.push(this.quantified(atom));
    }
    return { kind: 'sequence', items };
  }

  private atom(): Pattern | undefined {
    const char = this.source[this.at++];
    switch (char) {
      case '^':
      case '$':
        return undefined;
      case '(': {
        if (this.source.startsWith('?:', this.at)) this.at += 2;
        else if (this.peek() === '?') throw new Unsupported('lookaround');
        const inner = this.choice();
        if (this.source[this.at++] !== ')') throw new Unsupported('unclosed group');
        return inner;
      }
      case '[':
        return { kind: 'characters', set: this.characterClass() };
      case '.':
        return { kind: 'characters', set: CLASS_ESCAPES.w };
      case '\\':
        return { kind: 'characters', set: this.escape() };
      default:
        return { kind: 'characters', set: char };
    }
  }

  private escape(): string {
    const char = this.source[this.at++];
    if (char in CLASS_ESCAPES) return CLASS_ESCAPES[char];
    if (char === 'u' || char === 'x') {
      const length = char === 'u' ? 4 : 2;
      const code = this.source.slice(this.at, this.at + length);
      this.at += length;
      return String.fromCharCode(parseInt(code, 16));
    }
    if (/[A-Za-z0-9]/.test(char)) throw new Unsupported(`\\${char}`);
    return char;
  }

  private characterClass(): string {
    const negated = this.peek() === '^';
    if (negated) this.at += 1;
    let set = '';
    while (this.peek() !== ']') {
      if (this.done()) throw new Unsupported('unclosed class');
      let first = this.source[this.at++];
      if (first === '\\') first = this.escape();
      if (first.length === 1 && this.peek() === '-' && this.source[this.at + 1] !== ']') {
        this.at += 1;
        let last = this.source[this.at++];
        if (last === '\\') last = this.escape();
        for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code += 1) set += String.fromCharCode(code);
      } else {
        set += first;
      }
    }
    this.at += 1;
    return negated ? [...PRINTABLE].filter((c) => !set.includes(c)).join('') : set;
  }

  private quantified(item: Pattern): Pattern {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === '*' || char === '+' || char === '?') {
      this.at += 1;
      [min, max] = char === '*' ? [0, 8] : char === '+' ? [1, 8] : [0, 1];
    } else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
      if (match === null) return item;
      this.at += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? min + 8 : Number(match[3]);
    } else {
      return item;
    }
    if (this.peek() === '?') this.at += 1;
    return { kind: 'repeat', item, min, max: Math.min(max, min + 64) };
  }

  private peek(): string {
    return this.source[this.at];
  }
}
