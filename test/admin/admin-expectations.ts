/**
 * Assertions shared by the administration e2e tests: an SDK call that must fail with a
 * given status (and, for validation, naming given fields), and the audit rows a write
 * must have left in its transaction.
 */
import { EgideApiError, type ProblemBody } from '../../src/client/http-client';
import { querySql } from '../support/test-database';

export async function problemOf(call: Promise<unknown>): Promise<EgideApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof EgideApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail with a problem');
}

export async function expectProblem(call: Promise<unknown>, status: number): Promise<ProblemBody> {
  const error = await problemOf(call);
  expect(error.status).toBe(status);
  return error.problem;
}

/** A 400 whose errors[] names exactly these fields (in any order). */
export async function expectInvalidFields(call: Promise<unknown>, fields: string[]): Promise<void> {
  const problem = await expectProblem(call, 400);
  expect(problem.type).toBe('urn:egide:problem:validation-failed');
  expect((problem.errors ?? []).map((error) => error.field).sort()).toEqual([...fields].sort());
}

export interface AuditRow {
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  scope_type: string | null;
  scope_id: string | null;
  request_id: string;
  outcome: string;
  details: Record<string, string | number | boolean | null>;
}

export function auditRows(databaseUrl: string, action: string, targetId: string): Promise<AuditRow[]> {
  return querySql<AuditRow>(
    databaseUrl,
    `SELECT actor_id, actor_role, action, target_type, target_id, scope_type, scope_id, request_id, outcome, details
       FROM audit_events WHERE action = $1 AND target_id = $2 ORDER BY id`,
    [action, targetId],
  );
}
