/**
 * The audit actions the auth feature writes (docs/identity.md, "Audit"): sign-in, sessions,
 * credentials, the first administrator, and the access guard's refusals. The refusals
 * anyone can repeat at will are recorded with `repeatable: true` (audit.service.ts).
 */
export const AUTH_AUDIT_ACTIONS = [
  'setup.admin-created',
  'auth.login',
  'auth.login-refused',
  'auth.lockout',
  'auth.refresh',
  'auth.refresh-reuse',
  'auth.logout',
  'auth.logout-everywhere',
  'auth.enrol',
  'auth.reenrolled',
  'auth.mfa-enabled',
  'auth.mfa-refused',
  'auth.password-changed',
  'auth.password-change-refused',
  'auth.recovered',
  'authz.denied',
] as const;
export type AuthAuditAction = (typeof AUTH_AUDIT_ACTIONS)[number];
