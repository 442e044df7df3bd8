/**
 * The audit actions the setup feature writes: a new setup token issued at start-up (`--rearm-setup`).
 */
export const SETUP_AUDIT_ACTIONS = [
  'setup.rearmed',
] as const;
export type SetupAuditAction = (typeof SETUP_AUDIT_ACTIONS)[number];
