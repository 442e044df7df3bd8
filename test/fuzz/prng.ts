/**
 * The fuzzer's only source of chance: a seeded PRNG (sfc32, seeded through splitmix32),
 * so that one seed replays one run — the same routes, callers, mutations and generated
 * values in the same order. Never Math.random() or crypto randomness in the fuzzer's
 * choices; only the SDK's own crypto (nonces, keys) is outside the seed.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const mix = splitmix32(seed);
    [this.a, this.b, this.c, this.d] = [mix(), mix(), mix(), mix()];
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** `length` characters of `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** A UUID v4 made of this generator's bits (lower case, as the server writes them). */
  uuid(): string {
    const hex = this.text(32, '0123456789abcdef');
    const variant = '89ab'[this.int(0, 3)];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** FUZZ_SEED when given (decimal), else a fresh one: either way it is printed for replay. */
export function fuzzSeed(value: string | undefined): number {
  if (value !== undefined && value.trim() !== '') {
    const seed = Number(value);
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32): ${value}`);
    return seed;
  }
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}
