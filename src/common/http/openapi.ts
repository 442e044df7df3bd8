/**
 * The OpenAPI document (/api/docs-json) and its UI (/api/docs). Every route documents
 * its DTOs and its problem responses; problem bodies share one schema
 * (ProblemDetailsDto). Off in production unless API_DOCS=true.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FieldErrorDto, ProblemDetailsDto } from './problem';
import { DOCS_PATH } from './security-headers';

export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Egide API')
    .setDescription(
      'Case management for human rights defenders at risk. Sealed fields are encrypted and signed by the client; ' +
        'the server stores envelopes and never sees their plaintext. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto, FieldErrorDto] });
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: `${DOCS_PATH.slice(1)}-json`,
    raw: ['json'],
    customSiteTitle: 'Egide API',
  });
}
