/**
 * Structured logging with pino, shared by Fastify (request logs) and Nest (system
 * logs), so that every event carries the request id where there is one. Two formats of
 * the same events (LOG_FORMAT, docs/operations.md): JSON lines for a log store, or one
 * readable line per event for a person at a terminal; the readable one is rendered from
 * the JSON pino has already serialised and redacted, so it can show nothing more.
 *
 * Must never log a request or response body, a token, a key or a password: only
 * method, route, status, timing and ids are serialised, and credentials headers are
 * redacted in case a future serializer adds headers.
 */
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from '../config/environment';

export type EgideLogger = Logger;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-setup-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

interface RequestLike {
  id?: string;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  ip?: string;
}

interface ReplyLike {
  statusCode?: number;
}

export function createLogger(level: LogLevel, destination?: DestinationStream, format: LogFormat = 'json'): EgideLogger {
  const target = format === 'pretty' ? prettyDestination(destination ?? process.stdout) : destination;
  return pino(
    {
      level,
      base: { service: 'egide' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        // Explicit fields only: a body or header never reaches the log by accident.
        req: (req: RequestLike) => ({
          id: req.id,
          method: req.method,
          url: stripQuery(req.url),
          route: req.routeOptions?.url,
          ip: req.ip,
        }),
        res: (res: ReplyLike) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    target,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that the readable line already shows in its own place. */
const SHOWN_FIELDS = new Set(['level', 'time', 'msg', 'service', 'context', 'pid', 'hostname', 'err', 'trace', 'req', 'res', 'responseTime']);

/** Writes each JSON line pino produces as a readable line instead. */
function prettyDestination(out: { write(text: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(prettyLogLine(line)) };
}

/**
 * `22:39:36.448Z INFO  [context] message key=value`, a request as
 * `GET /api/v1/health 200 1.2 ms`, an error with its stack indented below. Control and
 * bidirectional characters are escaped: a value must not be able to move the cursor,
 * recolour the terminal or reorder what follows.
 */
export function prettyLogLine(json: string): string {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return printable(json.trimEnd()) + '\n';
  }
  const time = typeof event.time === 'string' ? event.time.slice(11) : '';
  const level = (LEVEL_NAMES[event.level as number] ?? String(event.level)).padEnd(5);
  const context = typeof event.context === 'string' ? `[${event.context}] ` : '';
  const req = event.req as { method?: string; url?: string } | undefined;
  const res = event.res as { statusCode?: number } | undefined;
  const message =
    req !== undefined && res !== undefined
      ? `${req.method ?? '?'} ${req.url ?? '?'} ${res.statusCode ?? '?'} ${typeof event.responseTime === 'number' ? event.responseTime.toFixed(1) : '?'} ms`
      : String(event.msg ?? '');
  const fields = Object.entries(event)
    .filter(([name, value]) => !SHOWN_FIELDS.has(name) && value !== undefined)
    .map(([name, value]) => ` ${name}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`)
    .join('');
  let text = printable(`${time} ${level} ${context}${message}${fields}`);
  // An error's stack (pino's err), or the trace Nest passes with its own errors.
  const err = event.err as { type?: string; message?: string; stack?: string } | undefined;
  const stack = err === undefined ? event.trace : (err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`);
  if (typeof stack === 'string' && stack !== '') {
    text += stack
      .split('\n')
      .map((line) => `\n    ${printable(line.trim())}`)
      .join('');
  }
  return text + '\n';
}

function printable(text: string): string {
  // C0 and C1 controls, and the bidirectional embeddings, overrides and isolates.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Query strings may carry search terms; the path is enough to follow a request. */
function stripQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}

/** Nest's contexts that report each module initialised and each route mapped. */
const START_UP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's system messages (start-up, routes, errors) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: EgideLogger) {}

  log(message: unknown, context?: string): void {
    // One line per module and per route at every start buries what the operator needs
    // (the banner and the setup token); LOG_LEVEL=debug shows them.
    if (context !== undefined && START_UP_DETAIL.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
