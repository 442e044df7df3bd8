/**
 * The derivation of schema limits from class-validator: what it writes, and that what it
 * cannot vouch for comes back as gaps (the OpenAPI test and `npm run lint:api` fail on any).
 */
import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional, type OpenAPIObject } from '@nestjs/swagger';
import { ArrayMaxSize, IsHexColor, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import type { DocumentedRoute, DtoClass } from './documented-routes';
import { declareValidation } from './validation-schema';

class Sample {
  @ApiProperty()
  @IsString()
  @MaxLength(40)
  @Matches(/^[a-z]+$/)
  name!: string;

  @ApiProperty()
  @IsUUID()
  id!: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(2 ** 32)
  generation!: number;

  @ApiProperty({ type: [String] })
  @ArrayMaxSize(3)
  @Length(2, 2, { each: true })
  codes!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn([1, 2])
  version?: number;
}

class Drifted {
  @ApiProperty()
  @IsHexColor()
  colour!: string;

  @ApiProperty()
  offered!: string;

  @ApiProperty()
  @IsOptional()
  @IsString()
  @MaxLength(5)
  optional?: string;

  @IsString()
  @MaxLength(5)
  hidden!: string;
}

function documentFor(type: DtoClass, properties: Record<string, object>, required: string[]): { document: OpenAPIObject; routes: Map<string, DocumentedRoute> } {
  const document = {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {},
    components: { schemas: { [type.name]: { type: 'object', properties, required } } },
  } as unknown as OpenAPIObject;
  const route: DocumentedRoute = { operationId: 'T_t', controller: type, handler: () => undefined, method: 'post', body: type, query: undefined, params: undefined };
  return { document, routes: new Map([[route.operationId, route]]) };
}

it('writes what the validators enforce into the schema, items included', () => {
  const { document, routes } = documentFor(
    Sample,
    { name: { type: 'string' }, id: { type: 'string' }, generation: { type: 'number' }, codes: { type: 'array', items: { type: 'string' } }, version: { type: 'number' } },
    ['name', 'id', 'generation', 'codes'],
  );
  expect(declareValidation(document, routes)).toEqual([]);
  expect(document.components?.schemas?.Sample).toEqual({
    type: 'object',
    required: ['name', 'id', 'generation', 'codes'],
    properties: {
      name: { type: 'string', maxLength: 40, pattern: '^[a-z]+$' },
      id: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 },
      generation: { type: 'integer', format: 'int64', minimum: 1, maximum: 2 ** 32 },
      codes: { type: 'array', maxItems: 3, items: { type: 'string', minLength: 2, maxLength: 2 } },
      version: { type: 'integer', format: 'int32', enum: [1, 2], minimum: 1, maximum: 2 },
    },
  });
});

it('reports what it cannot vouch for as gaps', () => {
  const { document, routes } = documentFor(Drifted, { colour: { type: 'string' }, offered: { type: 'string' }, optional: { type: 'string' } }, ['colour', 'offered', 'optional']);
  expect(declareValidation(document, routes).sort()).toEqual(
    [
      'Drifted.colour: validator "isHexColor" has no OpenAPI rule (src/common/openapi/validation-schema.ts)',
      'Drifted.hidden: validated but not in the document',
      'Drifted.offered: documented, but the server refuses it as unknown',
      'Drifted.optional: required in the document true, @IsOptional true',
    ].sort(),
  );
});
