/**
 * `@ApiProblems(400, 404, …)`: documents a route's problem responses in OpenAPI with the
 * shared ProblemDetailsDto schema and the problem+json media type. 500 is always added:
 * any route can fail unexpectedly, and callers should know what that looks like.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEMS } from './problem';

const TITLE_BY_STATUS = new Map<number, string>(Object.values(PROBLEMS).map(({ status, title }) => [status, title]));

export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 500])].sort((a, b) => a - b);
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        description: TITLE_BY_STATUS.get(status) ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
      }),
    ),
  );
}


