/**
 * The e2e project's setup file (jest.config.js, setupFilesAfterEnv): every response a
 * test sees through fetch, the SDK's included, is checked against the OpenAPI document
 * (test/support/response-schema.ts), and a test that saw a response the document does
 * not declare fails, naming the request and what differs.
 */
import { installResponseSchemaCheck, takeResponseMismatches, type ResponseMismatch } from '../support/response-schema';

installResponseSchemaCheck();

function failOn(found: ResponseMismatch[]): void {
  if (found.length === 0) return;
  const lines = found.map((mismatch) => `  ${mismatch.request}\n    ${mismatch.problems.join('\n    ')}`);
  throw new Error(`responses that differ from the OpenAPI document:\n${lines.join('\n')}`);
}

// beforeAll traffic is reported with the first test; afterAll traffic fails the file.
afterEach(() => failOn(takeResponseMismatches()));
afterAll(() => failOn(takeResponseMismatches()));
