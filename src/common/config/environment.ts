/**
 * The one schema of the server's environment. Every variable the server reads is
 * declared here with its validation; `loadConfig` turns a raw environment into an
 * `AppConfig` or fails listing every invalid variable at once (so an operator fixes a
 * deployment in one pass). Defaults are not written here: they live in
 * `config/default.env`, the single documented source, loaded beneath the process
 * environment.
 *
 * Never log or echo a value from this module: SERVER_SECRET and DATABASE_URL carry
 * secrets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Validate,
  ValidatorConstraint,
  Max,
  MaxLength,
  Min,
  validateSync,
  ValidationError,
  type ValidatorConstraintInterface,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `pretty`: one readable line per event, for a person at a terminal; `json`: JSON lines, for a log store. */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const lowered = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  return value;
};

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** A comma-separated list of items, blanks dropped. */
function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** An IPv4 or IPv6 address, or a CIDR range of one (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

@ValidatorConstraint({ name: 'addressList' })
class AddressList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 4096 && listOf(value).every(isAddressOrRange);
  }

  defaultMessage(): string {
    return 'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8)';
  }
}

/** The raw environment as the schema sees it: strings in, typed values out. */
export class EnvironmentVariables {
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]{1,255}$/, { message: 'HOST must be a host name or IP address' })
  HOST!: string;

  @IsString()
  @MaxLength(4096)
  DATA_DIR!: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE!: number;

  @IsIn(NODE_ENVS)
  NODE_ENV!: NodeEnv;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL!: LogLevel;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*\s*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Validate(AddressList)
  TRUSTED_PROXIES?: string;

  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  API_DOCS?: boolean;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43,}$/, { message: 'SERVER_SECRET must be at least 32 bytes, base64url-encoded' })
  SERVER_SECRET?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_TIMEOUT_MS!: number;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE!: number;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  AUTH_RATE_LIMIT_PER_MINUTE!: number;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  SIGN_IN_FAILURES_PER_ADDRESS_PER_HOUR!: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(10_000)
  RATE_LIMIT_SYNC_MS!: number;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(60_000)
  PRINCIPAL_CACHE_TTL_MS!: number;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Absolute path. */
  readonly dataDir: string;
  /** Undefined: the embedded PostgreSQL under `dataDir/pg`. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly nodeEnv: NodeEnv;
  readonly logLevel: LogLevel;
  /** Empty LOG_FORMAT: json in production (containers, log shippers), pretty otherwise. */
  readonly logFormat: LogFormat;
  readonly corsOrigins: readonly string[];
  /** Proxies whose X-Forwarded-For is believed; empty: none, the socket's address counts. */
  readonly trustedProxies: readonly string[];
  readonly apiDocs: boolean;
  /** Base64url; undefined outside production means "generate into DATA_DIR". */
  readonly serverSecret: string | undefined;
  readonly shutdownTimeoutMs: number;
  readonly rateLimitPerMinute: number;
  readonly authRateLimitPerMinute: number;
  /** Failed sign-ins (login, TOTP activation, recovery) per client address and hour, in PostgreSQL. */
  readonly signInFailuresPerAddressPerHour: number;
  /** Set: the rate-limit windows live in this Redis; undefined: in PostgreSQL. */
  readonly redisUrl: string | undefined;
  /** PostgreSQL windows: how often the general limit's hits are shared; 0: every hit at once. */
  readonly rateLimitSyncMs: number;
  /** Hard lifetime of a cached principal; 0: no cache, every request checks in PostgreSQL. */
  readonly principalCacheTtlMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** The project root: the nearest folder above this file holding `config/default.env`. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'config', 'default.env'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('config/default.env not found above ' + __dirname);
    dir = parent;
  }
}

export function readEnvFile(path: string): Record<string, string> {
  const parsed = parseEnv(readFileSync(path, 'utf8'));
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
}

/**
 * Validates `env` layered over `config/default.env`. Unknown variables are ignored (the
 * process environment holds many); known ones must all be valid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defaults = readEnvFile(join(projectRoot(), 'config', 'default.env'));
  const merged: Record<string, string | undefined> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (env[key] !== undefined) merged[key] = env[key];
  }
  const variables = plainToInstance(EnvironmentVariables, merged);
  const problems = describe(validateSync(variables, { forbidUnknownValues: false }));

  const production = variables.NODE_ENV === 'production';
  if (production && variables.SERVER_SECRET === undefined) {
    problems.push('SERVER_SECRET: required when NODE_ENV=production (generate 32 random bytes, base64url)');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  return {
    port: variables.PORT,
    host: variables.HOST,
    dataDir: resolve(variables.DATA_DIR),
    databaseUrl: variables.DATABASE_URL,
    databasePoolSize: variables.DATABASE_POOL_SIZE,
    nodeEnv: variables.NODE_ENV,
    logLevel: variables.LOG_LEVEL,
    logFormat: variables.LOG_FORMAT ?? (production ? 'json' : 'pretty'),
    corsOrigins: listOf(variables.CORS_ORIGINS),
    trustedProxies: listOf(variables.TRUSTED_PROXIES),
    apiDocs: variables.API_DOCS ?? !production,
    serverSecret: variables.SERVER_SECRET,
    shutdownTimeoutMs: variables.SHUTDOWN_TIMEOUT_MS,
    rateLimitPerMinute: variables.RATE_LIMIT_PER_MINUTE,
    authRateLimitPerMinute: variables.AUTH_RATE_LIMIT_PER_MINUTE,
    signInFailuresPerAddressPerHour: variables.SIGN_IN_FAILURES_PER_ADDRESS_PER_HOUR,
    redisUrl: variables.REDIS_URL,
    rateLimitSyncMs: variables.RATE_LIMIT_SYNC_MS,
    principalCacheTtlMs: variables.PRINCIPAL_CACHE_TTL_MS,
  };
}
