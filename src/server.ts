/**
 * Builds and starts the Egide server: configuration, server keys, database (embedded or
 * external), the Nest application on Fastify with its cross-cutting pieces, the
 * listener, and the setup token. `npm start` (main.ts) and the tests both come through
 * here, so what the tests exercise is what runs.
 */
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { Clock, SystemClock } from './common/clock';
import { loadConfig, type AppConfig } from './common/config/environment';
import { ServerKeys } from './common/config/server-keys';
import { openDatabase, type DatabaseHandle } from './common/database/database-connection';
import {
  clientErrorHandler,
  frameworkErrors,
  MAX_PATH_PARAM_LENGTH,
  refuseLongUrls,
  refuseWhileClosing,
} from './common/http/framework-errors';
import { setupOpenApi } from './common/http/openapi';
import { ProblemDetailsFilter } from './common/http/problem-details.filter';
import { registerRequestContext } from './common/http/request-context';
import { requestIdFor } from './common/http/request-id';
import { DOCS_PATH, registerSecurityHeaders } from './common/http/security-headers';
import { registerJsonBodyParser } from './common/http/json-body';
import { createValidationPipe } from './common/http/validation';
import { createLogger, NestPinoLogger, type EgideLogger } from './common/logging/logger';
import { registerRequestLog } from './common/logging/request-log';
import { SetupTokenService, type SetupRearm } from './setup/setup-token.service';

export const API_PREFIX = 'api/v1';
/** docs/api.md: JSON bodies are capped at 1 MiB. */
export const JSON_BODY_LIMIT = 1024 * 1024;

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where logs go (stdout by default); tests capture them to look for leaks. */
  logDestination?: DestinationStream;
  /** Extra modules mounted in the same pipeline; the tests' probe routes use it. */
  additionalModules?: Type[];
  /** The server's clock; the tests pass one they can move. */
  clock?: Clock;
  /** Issue a new setup token even though an administrator exists (lost administrator). */
  rearmSetup?: boolean;
}

export interface EgideServer {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly database: DatabaseHandle;
  readonly logger: EgideLogger;
  /** http://host:port */
  readonly url: string;
  readonly docsUrl: string | undefined;
  /** Present while no administrator exists. */
  readonly setupToken: string | undefined;
  /** What --rearm-setup did, when it was given. */
  readonly setupRearm: SetupRearm | undefined;
  /** Graceful: stop accepting, drain (bounded), close the pool, stop the embedded database. */
  close(): Promise<void>;
}

export async function startEgide(options: StartOptions = {}): Promise<EgideServer> {
  const config = loadConfig(options.env ?? process.env);
  const logger = createLogger(config.logLevel, options.logDestination, config.logFormat);
  const serverKeys = ServerKeys.load(config);
  const database = await openDatabase(config, {
    info: (message) => logger.info({ context: 'EmbeddedPostgres' }, message),
    warn: (message) => logger.warn({ context: 'EmbeddedPostgres' }, message),
    debug: (message) => logger.debug({ context: 'EmbeddedPostgres' }, message),
  });

  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp(config, serverKeys, database, logger, options.additionalModules ?? [], options.clock ?? new SystemClock());
    await app.listen({ port: config.port, host: config.host });
    const setupTokens = app.get(SetupTokenService);
    const setupRearm = options.rearmSetup === true ? await setupTokens.rearm(config.dataDir) : undefined;
    const setupToken = setupRearm?.token ?? (await setupTokens.issueIfSetupPending(config.dataDir));
    const url = listeningUrl(app, config);
    return {
      app,
      config,
      database,
      logger,
      url,
      docsUrl: config.apiDocs ? `${url}${DOCS_PATH}` : undefined,
      setupToken,
      setupRearm,
      close: closer(app, database, config.shutdownTimeoutMs),
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close();
    throw error;
  }
}

async function createApp(
  config: AppConfig,
  serverKeys: ServerKeys,
  database: DatabaseHandle,
  logger: EgideLogger,
  additionalModules: Type[],
  clock: Clock,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: requestIdFor,
    // X-Forwarded-For is believed only from the proxies TRUSTED_PROXIES lists
    // (docs/operations.md); from anyone else it is ignored and the socket's address counts.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // While closing, requests on open connections answer 503 problem+json (refuseWhileClosing);
    // Fastify's own 503 would be plain JSON without the security headers.
    return503OnClosing: false,
    // One line per request instead of two (common/logging/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // Errors raised before any route runs answer as problem+json too (framework-errors.ts).
    frameworkErrors,
    clientErrorHandler,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, serverKeys, clock, databaseUrl: database.url, additionalModules }),
    adapter,
    // Bodies are parsed by our own JSON parser (common/http/json-body.ts), not Nest's.
    { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false },
  );
  registerSecurityHeaders(app.getHttpAdapter().getInstance());
  refuseLongUrls(app.getHttpAdapter().getInstance());
  refuseWhileClosing(app.getHttpAdapter().getInstance());
  registerRequestContext(app.getHttpAdapter().getInstance());
  registerJsonBodyParser(app.getHttpAdapter().getInstance());
  registerRequestLog(app.getHttpAdapter().getInstance());
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location', 'etag'],
      credentials: false,
      maxAge: 600,
    });
  }
  // The tests' probe modules are not part of the API: the document leaves them out.
  if (config.apiDocs) setupOpenApi(app, additionalModules);
  return app;
}

function listeningUrl(app: NestFastifyApplication, config: AppConfig): string {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

function closer(app: NestFastifyApplication, database: DatabaseHandle, timeoutMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      // Fastify waits for in-flight requests. A keep-alive connection whose request
      // finishes while we close would then idle until its timeout: close idle ones as
      // they appear. Past the bound, every connection is cut so shutdown completes.
      const httpServer = app.getHttpServer();
      const sweep = setInterval(() => httpServer.closeIdleConnections(), 50);
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(cutOff);
        await database.close();
      }
    })();
    return closing;
  };
}
