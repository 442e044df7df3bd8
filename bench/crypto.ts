/**
 * Crypto benchmark: what the protocol library costs on top of raw libsodium for the work
 * a client does per case, and the Argon2id time at the chosen parameters.
 *
 *   seal + sign   10 fields (~4 KB of JSON): new data key, 10 envelopes and the revision
 *                 signature (sealRevision), the data key sealed to the embassy's team key;
 *                 raw = the same libsodium calls on the same padded bytes, without JSON,
 *                 padding, associated data, base64url or validation.
 *   open + verify the reverse: data key opened, signature verified, 10 fields opened
 *                 (openSealedDataKey + openRevision).
 *   server verify node:crypto Ed25519 check of the same revision (structure + signature).
 *
 * Run: npx nest build && node dist/bench/crypto.js [seconds per measurement, default 1]
 * It measures and prints; it never writes files or touches a database.
 */
import sodium from 'libsodium-wrappers-sumo';
import {
  KDF_DEFAULT_MEMLIMIT,
  KDF_DEFAULT_OPSLIMIT,
  SealedDataKey,
  SignedRevision,
  readyCrypto,
} from '../src/crypto';
import { importSignPublicKey, verifyRevisionSignatureOnServer } from '../src/common/crypto/signature-verifier';
import {
  DataKey,
  JsonValue,
  TeamKeys,
  UserKeyPairs,
  createTeam,
  derivePasswordKey,
  deriveUserKeyPairs,
  generateDataKey,
  generateKdfParameters,
  generateUserSeed,
  openRevision,
  openSealedDataKey,
  sealDataKeyToTeam,
  sealRevision,
  systemRandom,
} from '../src/client/crypto';

const RECORD_ID = '6f1c2b0e-8a44-4c1e-9d3a-2b7e5f0c9a11';
const AUTHOR_ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const SCOPE_ID = '3e2d1c0b-9a87-4654-8321-0fedcba98765';

/** Ten sealed fields of a realistic case, about 4 KB of JSON in all. */
function realisticCase(): Record<string, JsonValue> {
  const sentence = 'Detained after documenting a forced eviction; phone seized; family threatened by unidentified men. ';
  return {
    defender_name: 'Ana María Núñez Quispe',
    defender_aliases: ['Ana Q.', 'La Maestra'],
    defender_birth_date: '1984-03-12',
    defender_contact: { phone: '+51 999 555 0123', signal: true, email: 'ana.nunez@example.org' },
    defender_location: { city: 'Cusco', district: 'Santiago', safe_house: false, notes: sentence },
    organisation: 'Asociación de Defensoras de la Tierra',
    passport_number: 'PE1234567',
    family: [
      { relation: 'daughter', name: 'Lucía', age: 7 },
      { relation: 'spouse', name: 'José', age: 41 },
    ],
    narrative: sentence.repeat(24),
    risk_assessment: { summary: sentence.repeat(8), sources: ['interview', 'local partner', 'press'] },
  };
}

function measure(work: () => void, seconds: number): number {
  const deadline = performance.now() + seconds * 1000;
  let operations = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    work();
    operations += 1;
  }
  return operations / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Comparison {
  readonly library: number;
  readonly raw: number;
}

/** Alternates library and raw runs so that drift (thermal, GC) hits both alike. */
function compare(library: () => void, raw: () => void, seconds: number, rounds = 5): Comparison {
  for (let i = 0; i < 200; i += 1) {
    library();
    raw();
  }
  const libraryRates: number[] = [];
  const rawRates: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    libraryRates.push(measure(library, seconds));
    rawRates.push(measure(raw, seconds));
  }
  return { library: median(libraryRates), raw: median(rawRates) };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '1');
  await readyCrypto();
  const fields = realisticCase();
  const names = Object.keys(fields).sort();
  const team: TeamKeys = createTeam(SCOPE_ID);
  const author: UserKeyPairs = deriveUserKeyPairs(generateUserSeed());
  const jsonBytes = names.map((name) => sodium.from_string(JSON.stringify(fields[name])));
  const paddedBytes = jsonBytes.map((bytes) => sodium.pad(bytes, 64));
  const totalJson = jsonBytes.reduce((sum, bytes) => sum + bytes.length, 0);
  const totalPadded = paddedBytes.reduce((sum, bytes) => sum + bytes.length, 0);

  // The library path, as a client creating and reading a case does it.
  const coordinates = { entity: 'case', recordId: RECORD_ID, version: 1, authorUserId: AUTHOR_ID };
  const sealAndSign = (): { revision: SignedRevision; wrap: SealedDataKey } => {
    const dataKey: DataKey = generateDataKey();
    const revision = sealRevision(coordinates, fields, dataKey, author.signSecretKey);
    return { revision, wrap: sealDataKeyToTeam(dataKey, team) };
  };
  const openAndVerify = (created: { revision: SignedRevision; wrap: SealedDataKey }): void => {
    openRevision(created.revision, author.signPublicKey, openSealedDataKey(created.wrap, team));
  };

  // The raw path: the same primitives on the same padded bytes, nothing else. `random`
  // is libsodium's randombytes_buf for "raw libsodium", or the library's own RNG
  // (getRandomValues) to isolate the wrapper's overhead from the RNG choice.
  const rawSealAndSignWith = (random: (length: number) => Uint8Array) => {
    const key = random(32);
    const ciphertexts = paddedBytes.map((padded) => {
      const nonce = random(24);
      return { nonce, ciphertext: sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, null, null, nonce, key) };
    });
    const wrap = sodium.crypto_box_seal(key, team.boxPublicKey);
    const state = sodium.crypto_generichash_init(null, 32);
    for (const item of ciphertexts) sodium.crypto_generichash_update(state, item.ciphertext);
    const digest = sodium.crypto_generichash_final(state, 32);
    const signature = sodium.crypto_sign_detached(digest, author.signSecretKey);
    return { ciphertexts, wrap, digest, signature };
  };
  const rawSealAndSign = () => rawSealAndSignWith((length) => sodium.randombytes_buf(length));
  const rawOpenAndVerify = (created: ReturnType<typeof rawSealAndSign>): void => {
    const state = sodium.crypto_generichash_init(null, 32);
    for (const item of created.ciphertexts) sodium.crypto_generichash_update(state, item.ciphertext);
    const digest = sodium.crypto_generichash_final(state, 32);
    if (!sodium.crypto_sign_verify_detached(created.signature, digest, author.signPublicKey)) throw new Error('raw verify');
    const key = sodium.crypto_box_seal_open(created.wrap, team.boxPublicKey, team.boxSecretKey);
    for (const item of created.ciphertexts) {
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, item.ciphertext, null, item.nonce, key);
    }
  };

  const seal = compare(() => void sealAndSign(), () => void rawSealAndSign(), seconds);
  const sealSameRandom = compare(() => void sealAndSign(), () => void rawSealAndSignWith(systemRandom), seconds);
  const created = sealAndSign();
  const rawCreated = rawSealAndSign();
  const open = compare(() => openAndVerify(created), () => rawOpenAndVerify(rawCreated), seconds);
  const authorKey = importSignPublicKey(author.signPublicKey);
  const serverVerify = median(
    [0, 1, 2].map(() => measure(() => verifyRevisionSignatureOnServer(created.revision, authorKey), seconds)),
  );

  const kdf = generateKdfParameters();
  derivePasswordKey('warm-up', kdf);
  const argonTimes = [0, 1, 2, 3, 4].map(() => {
    const started = performance.now();
    derivePasswordKey('correct horse battery staple', kdf);
    return performance.now() - started;
  });

  const rows = [
    ['seal + sign (10 fields)', seal.library, seal.raw],
    ['seal + sign, raw with the same RNG (getRandomValues)', sealSameRandom.library, sealSameRandom.raw],
    ['open + verify (10 fields)', open.library, open.raw],
  ] as const;
  const lines = [
    `case: ${names.length} fields, ${totalJson} bytes of JSON, ${totalPadded} bytes padded`,
    `node ${process.version}, libsodium-wrappers-sumo (WASM), ${seconds}s per measurement, median of 5 alternating rounds`,
    '',
    '| operation | library (cases/s) | raw libsodium (cases/s) | ratio |',
    '|---|---:|---:|---:|',
    ...rows.map(([name, library, raw]) => `| ${name} | ${library.toFixed(0)} | ${raw.toFixed(0)} | ${(library / raw).toFixed(2)} |`),
    `| server verify (node:crypto, structure + Ed25519) | ${serverVerify.toFixed(0)} | | |`,
    '',
    `Argon2id (opslimit ${KDF_DEFAULT_OPSLIMIT}, memlimit ${KDF_DEFAULT_MEMLIMIT / 1024 / 1024} MiB): ` +
      `median ${median(argonTimes).toFixed(0)} ms (runs: ${argonTimes.map((t) => t.toFixed(0)).join(', ')} ms)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
