/**
 * The two log formats carry the same events: JSON lines, or readable lines rendered from
 * the JSON after pino's serializers and redaction (so they can show nothing more), with
 * control and bidirectional characters escaped.
 */
import { Writable } from 'node:stream';
import { createLogger, NestPinoLogger, prettyLogLine } from './logger';

class Lines extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('the pretty format', () => {
  it('renders a request as method, path, status and time, with its request id', () => {
    const out = new Lines();
    const logger = createLogger('info', out, 'pretty').child({ reqId: 'abc-123' });
    logger.info(
      { req: { id: 'abc-123', method: 'GET', url: '/api/v1/cases?q=secret', routeOptions: { url: '/api/v1/cases' }, ip: '127.0.0.1' }, res: { statusCode: 200 }, responseTime: 1.234 },
      'request completed',
    );
    expect(out.text).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}GET \/api\/v1\/cases 200 1\.2 ms reqId=abc-123\n$/);
    expect(out.text).not.toContain('secret');
  });

  it('shows the context, extra fields, and an error with its stack below', () => {
    const out = new Lines();
    const logger = createLogger('info', out, 'pretty');
    logger.warn({ context: 'EmbeddedPostgres', port: 5433, note: 'two words' }, 'careful');
    const error = new Error('boom');
    logger.error({ err: error }, 'it failed');
    const [warn, failed, firstFrame] = out.text.split('\n');
    expect(warn).toMatch(/ WARN {2}\[EmbeddedPostgres\] careful port=5433 note="two words"$/);
    expect(failed).toMatch(/ ERROR it failed$/);
    expect(firstFrame).toBe('    Error: boom');
  });

  it('never shows what redaction removed', () => {
    const out = new Lines();
    createLogger('info', out, 'pretty').info({ headers: { authorization: 'Bearer very-secret' } }, 'headers');
    expect(out.text).not.toContain('very-secret');
    expect(out.text).toContain('[redacted]');
  });

  it('escapes control and bidirectional characters so a value cannot drive the terminal', () => {
    const line = prettyLogLine(JSON.stringify({ level: 30, time: '2026-12-01T10:00:00.000Z', msg: 'a\u001b[2Jb\r\nc\u202ed\u2066e' }));
    expect(line).toBe('10:00:00.000Z INFO  a\\u001b[2Jb\\u000d\\u000ac\\u202ed\\u2066e\n');
  });

  it('passes a line that is not JSON through, escaped', () => {
    expect(prettyLogLine('plain\u0007text\n')).toBe('plain\\u0007text\n');
  });
});

describe('the json format', () => {
  it('writes one JSON object per line', () => {
    const out = new Lines();
    createLogger('info', out, 'json').info({ context: 'Test' }, 'hello');
    expect(JSON.parse(out.text)).toMatchObject({ level: 30, service: 'egide', context: 'Test', msg: 'hello' });
  });
});

describe("Nest's start-up detail", () => {
  it('goes to debug: one line per module and per route would bury the banner', () => {
    const out = new Lines();
    const nest = new NestPinoLogger(createLogger('info', out, 'json'));
    nest.log('CasesModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/api/v1/cases, POST} route', 'RouterExplorer');
    nest.log('CasesController {/api/v1/cases}:', 'RoutesResolver');
    nest.log('Nest application successfully started', 'NestApplication');
    expect(out.text.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['Nest application successfully started']);
  });
});
