/**
 * The CHECK constraints that tie a role to its kind of scope, shared by users and
 * invitations so that an invitation can never carry a combination no account may have.
 * The text is part of the schema: changing a character is a migration.
 */
export const ROLE_IS_KNOWN_SQL = `"role" IN ('ADMIN', 'EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR')`;

export const ROLE_MATCHES_SCOPE_SQL = `("role" = 'EMBASSY_CONTACT' AND "embassy_id" IS NOT NULL AND "organisation_id" IS NULL)
   OR ("role" = 'NGO' AND "organisation_id" IS NOT NULL AND "embassy_id" IS NULL)
   OR ("role" IN ('ADMIN', 'AUDITOR', 'COORDINATOR') AND "embassy_id" IS NULL AND "organisation_id" IS NULL)`;
