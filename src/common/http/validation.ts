/**
 * The global ValidationPipe: unknown properties are refused (not silently dropped), DTOs
 * are instantiated, and every offending field is named in the problem's `errors[]` by
 * its dotted path, nested properties and array items included.
 */
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedException, type FieldError } from './problem';

export function flattenValidationErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
    const own: FieldError[] =
      error.constraints !== undefined ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Values are echoed in messages otherwise; a sealed field's envelope or a secret
    // must not come back in an error body or reach a log.
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedException(flattenValidationErrors(errors)),
  });
}
