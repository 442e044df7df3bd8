/**
 * Structured JSON logging with pino, shared by Fastify (request logs) and Nest (system
 * logs), so that every line is JSON and carries the request id where there is one.
 *
 * Must never log a request or response body, a token, a key or a password: only
 * method, route, status, timing and ids are serialised, and credentials headers are
 * redacted in case a future serializer adds headers.
 */
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/environment';

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

export function createLogger(level: LogLevel, destination?: DestinationStream): EgideLogger {
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
    destination,
  );
}

/** Query strings may carry search terms; the path is enough to follow a request. */
function stripQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}

/** Nest's system messages (start-up, routes, errors) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: EgideLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
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
