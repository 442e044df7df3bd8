/**
 * The audit actions the keys feature writes: team keys, grants, rotations, re-signed wraps.
 */
export const KEYS_AUDIT_ACTIONS = [
  'keys.team-created',
  'keys.grant-created',
  'keys.rotation-started',
  'keys.rotation-chunk',
  'keys.rotated',
  'keys.wraps-resigned',
] as const;
export type KeysAuditAction = (typeof KEYS_AUDIT_ACTIONS)[number];
