/**
 * Administration of embassies: create, list, read, update. Each method begins with its
 * access check (`systemScope(actor)`: administrators only), and each write commits with
 * its audit event in one transaction. The global guard has already refused every role
 * without Permission.OrganisationsManage; the check here is what lets the method reach
 * the repository at all.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/authz/actor';
import { systemScope } from '../common/authz/scope';
import { Clock } from '../common/clock';
import { Database } from '../common/database/database';
import { decodeCursor, PAGE_LIMIT_DEFAULT, pageOf } from '../common/http/keyset-cursor';
import type { PageQuery } from '../common/http/page-query.dto';
import { NotFoundProblem, ProblemException, ValidationFailedException, VersionConflictProblem } from '../common/http/problem';
import type { CreateEmbassyRequest } from './dto/create-embassy.dto';
import type { EmbassyPage, EmbassyResponse } from './dto/embassy.response';
import type { UpdateEmbassyRequest } from './dto/update-embassy.dto';
import { EmbassiesRepository, type EmbassyChanges } from './embassies.repository';
import { toEmbassyResponse } from './users.mappers';

const DUPLICATE = 'An embassy with this name already exists in this city and country';

@Injectable()
export class EmbassiesService {
  constructor(
    private readonly database: Database,
    private readonly embassies: EmbassiesRepository,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: Actor, request: CreateEmbassyRequest): Promise<EmbassyResponse> {
    const scope = systemScope(actor);
    return this.database.transaction(async (manager) => {
      const embassy = await this.embassies.insert(manager, scope, request, this.clock.now());
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

  async list(actor: Actor, query: PageQuery): Promise<EmbassyPage> {
    const scope = systemScope(actor);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['text', 'uuid']);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.embassies.list(this.database.manager, scope, limit, after && { name: after[0], id: after[1] });
    return pageOf(rows, limit, toEmbassyResponse, (row) => [row.name, row.id]);
  }

  async get(actor: Actor, id: string): Promise<EmbassyResponse> {
    const scope = systemScope(actor);
    const embassy = await this.embassies.findById(this.database.manager, scope, id);
    if (embassy === undefined) throw new NotFoundProblem('embassy');
    return toEmbassyResponse(embassy);
  }

  async update(actor: Actor, id: string, request: UpdateEmbassyRequest): Promise<EmbassyResponse> {
    const scope = systemScope(actor);
    const changes: EmbassyChanges = { name: request.name, country: request.country, city: request.city };
    const changed = Object.entries(changes).filter(([, value]) => value !== undefined && value !== null).map(([field]) => field);
    if (changed.length === 0) {
      throw new ValidationFailedException([{ field: 'body', messages: ['give at least one of name, country, city'] }]);
    }
    return this.database.transaction(async (manager) => {
      const embassy = await this.embassies.update(manager, scope, id, request.version, changes, this.clock.now());
      if (embassy === 'duplicate') throw new ProblemException('conflict', DUPLICATE);
      if (embassy === undefined) {
        // Missing, or another change committed since the administrator read it: say which.
        const current = await this.embassies.findById(manager, scope, id);
        if (current === undefined) throw new NotFoundProblem('embassy');
        throw new VersionConflictProblem('embassy', current.version, request.version);
      }
      await this.audit.record(manager, {
        action: 'embassy.updated',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'embassy', id: embassy.id },
        scope: { type: 'EMBASSY', id: embassy.id },
        details: { fields: changed.join(','), version: embassy.version },
      });
      return toEmbassyResponse(embassy);
    });
  }
}
