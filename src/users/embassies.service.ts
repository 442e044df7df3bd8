/**
 * Administration of embassies: create, list, read, update. Each write and its audit
 * event commit in one transaction. Callers reach these only with
 * Permission.OrganisationsManage (ADMIN), checked by the global guard; the actor is
 * still the first argument so that the audit trail names who did it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { Clock } from '../common/clock';
import { NotFoundProblem, ProblemException, ValidationFailedException } from '../common/http/problem';
import type { CreateEmbassyRequest } from './dto/create-embassy.dto';
import { toEmbassyResponse, type EmbassyPage, type EmbassyResponse } from './dto/embassy.response';
import type { PageQuery } from '../common/http/page-query.dto';
import type { UpdateEmbassyRequest } from './dto/update-embassy.dto';
import { EmbassiesRepository, type EmbassyChanges } from './embassies.repository';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';

const DUPLICATE = 'An embassy with this name already exists in this city and country';

@Injectable()
export class EmbassiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly embassies: EmbassiesRepository,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: Actor, request: CreateEmbassyRequest): Promise<EmbassyResponse> {
    return this.dataSource.transaction(async (manager) => {
      const embassy = await this.embassies.insert(manager, request, this.clock.now());
      if (embassy === 'duplicate') throw new ProblemException('conflict', DUPLICATE);
      await this.audit.record(manager, {
        action: 'embassy.created',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'embassy', id: embassy.id },
        scope: { type: 'EMBASSY', id: embassy.id },
        details: { country: embassy.country },
      });
      return toEmbassyResponse(embassy);
    });
  }

  async list(_actor: Actor, query: PageQuery): Promise<EmbassyPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['text', 'uuid']);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.embassies.list(this.dataSource.manager, limit, after && { name: after[0], id: after[1] });
    return pageOf(rows, limit, toEmbassyResponse, (row) => [row.name, row.id]);
  }

  async get(_actor: Actor, id: string): Promise<EmbassyResponse> {
    const embassy = await this.embassies.findById(this.dataSource.manager, id);
    if (embassy === undefined) throw new NotFoundProblem('embassy');
    return toEmbassyResponse(embassy);
  }

  async update(actor: Actor, id: string, request: UpdateEmbassyRequest): Promise<EmbassyResponse> {
    const changes: EmbassyChanges = { name: request.name, country: request.country, city: request.city };
    const changed = Object.entries(changes).filter(([, value]) => value !== undefined && value !== null).map(([field]) => field);
    if (changed.length === 0) {
      throw new ValidationFailedException([{ field: 'body', messages: ['give at least one of name, country, city'] }]);
    }
    return this.dataSource.transaction(async (manager) => {
      const embassy = await this.embassies.update(manager, id, changes, this.clock.now());
      if (embassy === undefined) throw new NotFoundProblem('embassy');
      if (embassy === 'duplicate') throw new ProblemException('conflict', DUPLICATE);
      await this.audit.record(manager, {
        action: 'embassy.updated',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'embassy', id: embassy.id },
        scope: { type: 'EMBASSY', id: embassy.id },
        details: { fields: changed.join(',') },
      });
      return toEmbassyResponse(embassy);
    });
  }
}
