/**
 * Signing a record action (shred, transfer) with the actor's Ed25519 key (protocol 2,
 * src/crypto/record-action-payload.ts). The server verifies it and keeps it in the audit
 * trail, where it proves the member asked for exactly this act on exactly this version.
 *
 * This module must never sign anything but that canonical message: a signature over
 * other bytes could be replayed as another statement.
 */
import sodium from 'libsodium-wrappers-sumo';
import { assertCryptoReady, encodeRecordActionMessage, toBase64Url, type RecordAction } from '../../crypto';

/** The detached signature, base64url (64 bytes). */
export function signRecordAction(action: RecordAction, signSecretKey: Uint8Array): string {
  assertCryptoReady();
  return toBase64Url(sodium.crypto_sign_detached(encodeRecordActionMessage(action), signSecretKey));
}
