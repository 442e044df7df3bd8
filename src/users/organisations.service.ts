/**
 * Administration of organisations (NGOs): create, list, read, update. Each method begins
 * with its access check (`systemScope(actor)`), and each write commits with its audit
 * event in one transaction. Reached only with Permission.OrganisationsManage (ADMIN),
 * which the global guard checks first.
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
import type { CreateOrganisationRequest } from './dto/create-organisation.dto';
import type { OrganisationPage, OrganisationResponse } from './dto/organisation.response';
import type { UpdateOrganisationRequest } from './dto/update-organisation.dto';
import { OrganisationsRepository, type OrganisationChanges } from './organisations.repository';
import { toOrganisationResponse } from './users.mappers';

const DUPLICATE = 'An organisation with this name already exists';

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly database: Database,
    private readonly organisations: OrganisationsRepository,
    private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: Actor, request: CreateOrganisationRequest): Promise<OrganisationResponse> {
    const scope = systemScope(actor);
    return this.database.transaction(async (manager) => {
      const organisation = await this.organisations.insert(manager, scope, request, this.clock.now());
      if (organisation === 'duplicate') throw new ProblemException('conflict', DUPLICATE);
      await this.audit.record(manager, {
        action: 'organisation.created',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'organisation', id: organisation.id },
        scope: { type: 'ORGANISATION', id: organisation.id },
        details: { country: organisation.country },
      });
      return toOrganisationResponse(organisation);
    });
  }

  async list(actor: Actor, query: PageQuery): Promise<OrganisationPage> {
    const scope = systemScope(actor);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ['text', 'uuid']);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const rows = await this.organisations.list(this.database.manager, scope, limit, after && { name: after[0], id: after[1] });
    return pageOf(rows, limit, toOrganisationResponse, (row) => [row.name, row.id]);
  }

  async get(actor: Actor, id: string): Promise<OrganisationResponse> {
    const scope = systemScope(actor);
    const organisation = await this.organisations.findById(this.database.manager, scope, id);
    if (organisation === undefined) throw new NotFoundProblem('organisation');
    return toOrganisationResponse(organisation);
  }

  async update(actor: Actor, id: string, request: UpdateOrganisationRequest): Promise<OrganisationResponse> {
    const scope = systemScope(actor);
    const changes: OrganisationChanges = { name: request.name, country: request.country };
    const changed = Object.entries(changes).filter(([, value]) => value !== undefined && value !== null).map(([field]) => field);
    if (changed.length === 0) {
      throw new ValidationFailedException([{ field: 'body', messages: ['give at least one of name, country'] }]);
    }
    return this.database.transaction(async (manager) => {
      const organisation = await this.organisations.update(manager, scope, id, request.version, changes, this.clock.now());
      if (organisation === 'duplicate') throw new ProblemException('conflict', DUPLICATE);
      if (organisation === undefined) {
        // Missing, or another change committed since the administrator read it: say which.
        const current = await this.organisations.findById(manager, scope, id);
        if (current === undefined) throw new NotFoundProblem('organisation');
        throw new VersionConflictProblem('organisation', current.version, request.version);
      }
      await this.audit.record(manager, {
        action: 'organisation.updated',
        outcome: 'SUCCESS',
        requestId: actor.requestId,
        actor: { userId: actor.userId, role: actor.role },
        target: { type: 'organisation', id: organisation.id },
        scope: { type: 'ORGANISATION', id: organisation.id },
        details: { fields: changed.join(','), version: organisation.version },
      });
      return toOrganisationResponse(organisation);
    });
  }
}
