/**
 * The one date rule of the API: a calendar date `YYYY-MM-DD` or an RFC 3339 date-time
 * (`YYYY-MM-DDThh:mm[:ss[.fraction]]` with `Z` or an offset), naming a real day and time.
 * `@IsISO8601` also takes week dates (`2026-W01-1`), ordinal dates (`2026-123`) and the
 * basic format (`20260101`), which `new Date()` then turns into Invalid Date downstream.
 */
import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Exported for the OpenAPI document, which declares it as the fields' pattern. */
export const DATE_OR_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const parts = DATE_OR_DATE_TIME.exec(value);
  if (parts === null) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  const [hour, minute, second, offsetHour, offsetMinute] = [parts[4], parts[5], parts[6], parts[7], parts[8]].map((part) => Number(part ?? 0));
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return false;
  return !Number.isNaN(new Date(value).getTime());
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a date (YYYY-MM-DD) or an RFC 3339 date-time`,
      },
    },
    options,
  );
}
