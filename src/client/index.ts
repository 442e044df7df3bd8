/**
 * The Egide SDK's one public entry: what a browser page, the CLI or another program
 * imports (docs/sdk.md). Everything key-holding happens behind it, with libsodium, on the
 * user's device; the server sees public keys, ciphertext and signatures only.
 *
 * This module and everything it reaches must run in a browser as well as in Node:
 * Uint8Array, TextEncoder/TextDecoder, fetch and WebCrypto's getRandomValues only, never
 * Buffer, process or a `node:*` module (tsconfig.sdk.json checks the types,
 * `npm run build:sdk` the bundle). It must never re-export a server module; server types
 * reach the SDK only through `import type`, which leaves nothing in the bundle.
 */

// Accounts and sessions: setup, enrolment, login, recovery, the signed-in session.
export * from './egide-client';
export * from './egide-session';
export * from './http-client';
export * from './auth-api';
export * from './admin-api';
export * from './keys-api';
export * from './cases-api';
export * from './password-policy';

// Flows that seal, sign, open and verify: team keys and defender cases.
export * from './team-keys-flow';
export * from './case-flow';

// What the device trusts about other members' keys (docs/protocol.md §5.12).
export * from './trust-store';
export * from './trusted-keys';

// The key-holding protocol primitives and the shared, key-free protocol (encodings,
// envelopes, payloads, fingerprints, errors) they are built on.
export * from './crypto';
export * from '../crypto';

// Both define `rotateTeam`: the flow (fetch, rotate, send) is the one an application
// calls; the pure key step stays available under the name the tests give it.
export { rotateTeam } from './team-keys-flow';
export { rotateTeam as rotateTeamKeys } from './crypto/team-rotation';
