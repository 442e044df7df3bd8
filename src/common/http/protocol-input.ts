/**
 * Runs a protocol validator (src/crypto) on a request field and turns its typed error
 * into a 400 that names the field, so that a malformed envelope, key or signature is
 * the caller's fault with a clear message, never a 500.
 */
import { ProtocolError } from '../../crypto/protocol-errors';
import { ValidationFailedException } from './problem';

export function checkProtocolInput<T>(field: string, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof ProtocolError) {
      throw new ValidationFailedException([{ field, messages: [error.message] }]);
    }
    throw error;
  }
}
