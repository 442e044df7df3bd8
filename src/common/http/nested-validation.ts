/**
 * The one way a DTO declares a nested object or a list of them. `@ValidateNested` alone
 * lets a missing member (undefined) or a list item of another type (`[[]]`, `[1]`)
 * through, and the service then dereferences what is not there: a 500 where the caller
 * deserves a 400 naming the field. These decorators add the object check first; with
 * `@IsOptional()` in front, an absent optional member is still allowed.
 */
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';

type DtoClass = new (...args: never[]) => object;

/** A required (or, after @IsOptional, optional) nested object of class `type()`. */
export function NestedObject(type: () => DtoClass): PropertyDecorator {
  return applyDecorators(IsObject(), ValidateNested(), Type(type));
}

/** Every item of the array is an object of class `type()`, validated. */
export function NestedObjects(type: () => DtoClass): PropertyDecorator {
  return applyDecorators(IsObject({ each: true }), ValidateNested({ each: true }), Type(type));
}
