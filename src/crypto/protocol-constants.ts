/**
 * Protocol constants of the Egide client-side encryption protocol, version 2.
 *
 * This module owns every number and label that two implementations must agree on:
 * format versions, algorithm ids, KDF contexts and subkey ids, Argon2id floors, sizes
 * and caps. docs/protocol.md quotes these names. It must never hold a key or compute
 * anything: changing a value here changes the wire format, so a change needs a new
 * protocol version, new test vectors and a migration story.
 */

/**
 * Version 2 added signed data-key wraps, signed record actions (shred, transfer) and
 * grants that vouch for the recipient's signing key. It is the version byte of those new
 * messages; the formats unchanged since version 1 keep their own version bytes below, so
 * that every revision, fingerprint and blind index written under version 1 stays valid
 * (a fingerprint users compared out of band must not change under them).
 */
export const PROTOCOL_VERSION = 2;

/** Version byte inside the revision signature tuple (§5.8): unchanged since protocol 1. */
export const REVISION_MESSAGE_VERSION = 1;
/** Version byte inside the fingerprint digest tuple (§5.10): unchanged since protocol 1. */
export const FINGERPRINT_MESSAGE_VERSION = 1;
/** Version byte inside the blind-index field-key tuple (§5.9): unchanged since protocol 1. */
export const BLIND_INDEX_MESSAGE_VERSION = 1;

/** Envelope format version byte (first byte of every envelope). */
export const ENVELOPE_VERSION = 1;

/** Algorithm ids carried on the wire. Closed set: anything else is an unknown algorithm. */
export const Algorithm = {
  /** XChaCha20-Poly1305-IETF (crypto_aead_xchacha20poly1305_ietf_*). */
  XChaCha20Poly1305Ietf: 1,
} as const;
export type AlgorithmId = (typeof Algorithm)[keyof typeof Algorithm];

/** Domain-separation labels: the first element of every length-prefixed tuple. */
export const DomainLabel = {
  FieldAssociatedData: 'egide',
  SeedWrapAssociatedData: 'egide-seed-wrap',
  HistoryLinkAssociatedData: 'egide-history-link',
  AttachmentAssociatedData: 'egide-attachment',
  RevisionSignature: 'egide-revision',
  EnvelopeList: 'egide-envelope-list',
  GrantSignature: 'egide-team-grant',
  DataKeyWrapSignature: 'egide-data-key-wrap',
  RecordActionSignature: 'egide-record-action',
  BlindIndexFieldKey: 'egide-blind-index',
  Fingerprint: 'egide-fingerprint',
  TrustStoreAssociatedData: 'egide-trust-store',
} as const;

/**
 * crypto_kdf contexts: exactly 8 ASCII bytes each (libsodium requirement). One context
 * per parent key type, so a subkey id never collides across parents.
 */
export const KdfContext = {
  PasswordKey: 'egpasswd',
  RecoveryKey: 'egrecovr',
  UserSeed: 'eguser__',
  TeamSeed: 'egteam__',
  DataKey: 'egdataky',
} as const;

/** Subkey ids under KdfContext.PasswordKey (parent: Argon2id password key). */
export const PasswordSubkey = { Kek: 1, AuthKey: 2 } as const;
/** Subkey ids under KdfContext.RecoveryKey (parent: the 32-byte recovery key). */
export const RecoverySubkey = { WrappingKey: 1, AuthKey: 2 } as const;
/** Subkey ids under KdfContext.UserSeed (parent: the user seed). */
export const UserSeedSubkey = { BoxSeed: 1, SignSeed: 2, TrustStoreKey: 3 } as const;
/** Subkey ids under KdfContext.TeamSeed (parent: a team seed of one scope and generation). */
export const TeamSeedSubkey = { BoxSeed: 1, BlindIndexKey: 2, HistoryKey: 3 } as const;
/** Subkey ids under KdfContext.DataKey (parent: a data key). */
export const DataKeySubkey = { AttachmentStreamKey: 1 } as const;

/** Argon2id (crypto_pwhash_ALG_ARGON2ID13) parameters and the floor the client enforces. */
export const KDF_ALGORITHM_ARGON2ID13 = 'argon2id13';
export const KDF_OPSLIMIT_FLOOR = 3;
export const KDF_MEMLIMIT_FLOOR = 64 * 1024 * 1024;
/** Ceilings stop a hostile server from making the client burn minutes or gigabytes. */
export const KDF_OPSLIMIT_CEILING = 20;
export const KDF_MEMLIMIT_CEILING = 1024 * 1024 * 1024;
/** Defaults chosen for new enrolments: the floor, which takes ~0.3 s in WASM on a laptop. */
export const KDF_DEFAULT_OPSLIMIT = KDF_OPSLIMIT_FLOOR;
export const KDF_DEFAULT_MEMLIMIT = KDF_MEMLIMIT_FLOOR;

export const SALT_BYTES = 16;
export const KEY_BYTES = 32;
export const SEED_BYTES = 32;
export const KEY_ID_BYTES = 16;
export const NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const BOX_PUBLIC_KEY_BYTES = 32;
export const SIGN_PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** crypto_box_seal overhead: ephemeral public key (32) + Poly1305 tag (16). */
export const SEALED_BOX_OVERHEAD_BYTES = 48;
export const BLAKE2B_256_BYTES = 32;
export const BLIND_INDEX_BYTES = 16;

/** Plaintexts are padded with sodium.pad (ISO/IEC 7816-4) to a multiple of this. */
export const PADDING_BLOCK_BYTES = 64;
/** Envelope header: version (1) ‖ alg (1) ‖ keyId (16) ‖ nonce (24). */
export const ENVELOPE_HEADER_BYTES = 1 + 1 + KEY_ID_BYTES + NONCE_BYTES;
/** Cap on one field's padded plaintext; narratives fit, a file belongs in an attachment. */
export const MAX_FIELD_PADDED_PLAINTEXT_BYTES = 256 * 1024;
export const MIN_ENVELOPE_BYTES = ENVELOPE_HEADER_BYTES + PADDING_BLOCK_BYTES + AEAD_TAG_BYTES;
export const MAX_ENVELOPE_BYTES =
  ENVELOPE_HEADER_BYTES + MAX_FIELD_PADDED_PLAINTEXT_BYTES + AEAD_TAG_BYTES;
/** Base64url (no padding) length of the largest envelope: the server's string cap. */
export const MAX_ENVELOPE_STRING_LENGTH = Math.ceil((MAX_ENVELOPE_BYTES * 4) / 3);
/** Sealed fields per revision; a case has about ten. */
export const MAX_FIELDS_PER_REVISION = 64;

/** Entity and field names that enter associated data: short ASCII identifiers. */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Attachment streams (crypto_secretstream_xchacha20poly1305). */
export const ATTACHMENT_STREAM_VERSION = 1;
export const ATTACHMENT_CHUNK_BYTES = 64 * 1024;
export const SECRETSTREAM_HEADER_BYTES = 24;
export const SECRETSTREAM_CHUNK_OVERHEAD_BYTES = 17;
/** Stream header: version (1) ‖ alg (1) ‖ chunk size u32be (4) ‖ secretstream header (24). */
export const ATTACHMENT_HEADER_BYTES = 1 + 1 + 4 + SECRETSTREAM_HEADER_BYTES;
export const ATTACHMENT_STREAM_ALGORITHM = 1;
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

/** Version byte of seed bundles and history links (and of the team grants of protocol 1). */
export const KEY_BUNDLE_VERSION = 1;

/**
 * Team grant versions: 2 vouches for the recipient's signing key and is the only one a
 * server accepts for a new grant; 1 is what protocol 1 stored, still opened by its recipient.
 */
export const TEAM_GRANT_VERSION = 2;
export const LEGACY_TEAM_GRANT_VERSION = 1;
export const TEAM_GRANT_VERSIONS = [LEGACY_TEAM_GRANT_VERSION, TEAM_GRANT_VERSION] as const;
export type TeamGrantVersion = (typeof TEAM_GRANT_VERSIONS)[number];

/** Record actions a member signs (§5.12): what the server must not be able to do on its own. */
export const RECORD_ACTIONS = ['shred', 'transfer'] as const;
export type RecordActionKind = (typeof RECORD_ACTIONS)[number];
/** The typed confirmation a record action signs: short text, far below this. */
export const MAX_RECORD_ACTION_CONFIRMATION_BYTES = 256;

/** Team generations are u32 on the wire (history links, grants, wraps): 1 … 2³² − 1. */
export const MAX_TEAM_GENERATION = 0xffff_ffff;
