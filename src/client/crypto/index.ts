/**
 * The key-holding half of the Egide protocol, for the client SDK, the CLI and tests.
 * The server must never import this folder (src/crypto/crypto-boundary.spec.ts checks).
 */
export * from './random-source';
export * from './password-keys';
export * from './recovery-keys';
export * from './user-keys';
export * from './seed-wrapping';
export * from './user-enrolment';
export * from './sealed-box';
export * from './team-keys';
export * from './team-grants';
export * from './team-rotation';
export * from './data-keys';
export * from './data-key-wrap-signatures';
export * from './record-action-signatures';
export * from './field-envelopes';
export * from './revision-signatures';
export * from './record-revisions';
export * from './blind-index';
export * from './attachment-stream';
