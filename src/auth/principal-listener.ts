/**
 * Keeps the principal cache honest (docs/identity.md, "Sessions and revocation"): one
 * dedicated PostgreSQL connection per instance that `LISTEN`s on `egide_principal`, to
 * which the triggers of migration 1795909100000 send the id of every user (or scope)
 * whose principal a committed transaction changed. Owns that connection, its
 * reconnection with backoff, its heartbeat, and the barrier that makes this instance's
 * own commits take effect before it answers the request that made them.
 *
 * The cache is used only while this connection is confirmed to be listening: until the
 * first LISTEN answers, whenever the connection fails, a heartbeat or barrier goes
 * unanswered, and until a fresh LISTEN after a reconnection, the cache is suspended and
 * every request asks PostgreSQL (the per-request check of before). Each (re)confirmation
 * starts from an empty cache, since notifications sent while nobody listened are lost.
 * It must never hold the cache active on a connection it has not heard answer lately.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Notification } from 'pg';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { PrincipalCache } from './principal-cache';

/** The channel the triggers notify (migration 1795909100000). */
export const PRINCIPAL_CHANNEL = 'egide_principal';
export const PRINCIPAL_LISTENER_APPLICATION_NAME = 'egide-principal-listener';
/** A silent connection (a peer gone without a FIN) is found within this, plus the timeout. */
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Any round trip of the listener (connect, LISTEN, heartbeat, barrier) longer than this ends it. */
const ROUND_TRIP_TIMEOUT_MS = 2_000;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

@Injectable()
export class PrincipalChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PrincipalChangeListener.name);
  private client: Client | undefined;
  private listening = false;
  private stopped = false;
  private failures = 0;
  private pid: number | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: PrincipalCache,
  ) {}

  /** True while notifications are being heard (and so the cache is in use). */
  get isListening(): boolean {
    return this.listening;
  }

  /** The listening connection's server process, for operators and the tests (pg_terminate_backend). */
  get backendPid(): number | undefined {
    return this.listening ? this.pid : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cache.enabled) return;
    // After every commit of this instance (TypeORM's transactions, which every write of
    // a request goes through), wait until the listener has heard that commit's
    // notifications: the request that disabled a user is answered only once this
    // instance has dropped the user's principal, so the next request, from anyone, is
    // refused here too.
    const commitBarrier: EntitySubscriberInterface = { afterTransactionCommit: () => this.barrier() };
    this.dataSource.subscribers.push(commitBarrier);
    // The first connection is awaited so that an instance serves from its cache at once;
    // if it fails, the instance serves anyway, with per-request checks, and retries.
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.drop();
    await client?.end().catch(() => undefined);
  }

  /**
   * Resolves once every notification of the transactions this instance has committed so
   * far has been applied to the cache. PostgreSQL signals the listening backend during
   * the commit, before the committing client hears COMMIT's answer, and a listening
   * backend sends the notifications it was signalled before the ReadyForQuery of its
   * next query (PostgreSQL 15 and later, postgres.c): so one round trip on this
   * connection, started after the commit, brings them in first. Never throws: a commit
   * has happened whatever the listener does, and a listener that cannot answer is
   * dropped, which suspends the cache.
   */
  async barrier(): Promise<void> {
    const client = this.client;
    if (!this.listening || client === undefined) return;
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.lost(client, error);
    }
  }

  private async connect(): Promise<void> {
    // A reconnection timer may fire after shutdown began (or after a test's module
    // registry is gone): it must not open a connection then.
    if (this.stopped) return;
    const url = (this.dataSource.options as PostgresDataSourceOptions).url;
    const client = new Client({
      connectionString: url,
      application_name: PRINCIPAL_LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: ROUND_TRIP_TIMEOUT_MS,
      query_timeout: ROUND_TRIP_TIMEOUT_MS,
    });
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => this.apply(client, message));
    try {
      await client.connect();
      await client.query(`LISTEN ${PRINCIPAL_CHANNEL}`);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.client !== client || this.stopped) return;
      this.pid = rows[0].pid;
      if (this.failures > 0) this.logger.log('principal change listener connected again: the principal cache is in use again');
      this.failures = 0;
      this.listening = true;
      this.cache.resume();
      this.heartbeat = setInterval(() => void this.barrier(), HEARTBEAT_INTERVAL_MS).unref();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private apply(client: Client, message: Notification): void {
    if (client !== this.client || message.channel !== PRINCIPAL_CHANNEL) return;
    const payload = message.payload ?? '';
    const separator = payload.indexOf(':');
    const kind = payload.slice(0, separator);
    const id = payload.slice(separator + 1);
    if (kind === 'user') this.cache.dropUser(id);
    else if (kind === 'scope') this.cache.dropScope(id);
    // A payload this version does not know (a newer migration's): drop everything.
    else this.cache.clear();
  }

  private lost(client: Client, error: unknown): void {
    if (client !== this.client) return;
    const wasListening = this.listening;
    this.drop();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasListening || this.failures === 0) {
      this.logger.warn(
        `principal change listener lost (${error instanceof Error ? error.message : String(error)}): every request checks its principal in PostgreSQL until it is back`,
      );
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures += 1;
    this.reconnect = setTimeout(() => void this.connect(), delay).unref();
  }

  /** Forgets the connection and suspends the cache (which empties it). */
  private drop(): void {
    this.client = undefined;
    this.listening = false;
    this.pid = undefined;
    clearInterval(this.heartbeat);
    this.cache.suspend();
  }
}
