/**
 * The audit actions the case feature writes, reads of sealed content included (docs/cases.md, "Audit").
 */
export const CASE_AUDIT_ACTIONS = [
  'case.created',
  'case.read',
  'case.updated',
  'case.status-changed',
  'case.assigned',
  'case.event-added',
  'case.events-read',
  'case.duplicates-searched',
  'case.transferred',
  'case.transfer-override',
  'case.shredded',
] as const;
export type CaseAuditAction = (typeof CASE_AUDIT_ACTIONS)[number];
