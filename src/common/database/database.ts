/**
 * The one way a service reaches PostgreSQL: a transaction for every write (the change
 * and its audit event commit or fail together), or the plain manager for a read that is
 * a single statement (audited reads are, by construction: audit/audited-read.ts).
 * Repositories never open transactions and never hold the DataSource: they take the
 * manager they are given as their first argument.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

@Injectable()
export class Database {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One transaction: every write of a request with its audit event. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Outside a transaction: single-statement reads. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
