import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credential limits and repeated denials (docs/identity.md, "Brute force" and "Audit"):
 * - users: the password lock now counts only guesses made behind a proven factor, and
 *   doubles with each lock in a row (`lockouts`); the recovery key has a lock of its own.
 *   Old counts mixed in wrong passwords, which no longer count: they start again at 0.
 * - sign_in_address_failures: failed sign-ins per client address (an HMAC of it) and hour.
 * - audit_repeats: identical refusals within an hour, counted; the first is an audit event
 *   and the count is appended as one `audit.repeated` event when the hour is over. Written
 *   by hand like audit_events: the audit module owns its SQL.
 */
export class CredentialLimitsAndAuditRepeats1795908000000 implements MigrationInterface {
  name = 'CredentialLimitsAndAuditRepeats1795908000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "lockouts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "recovery_failed_attempts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "recovery_locked_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "recovery_lockouts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`UPDATE "users" SET "failed_attempts" = 0`);
    await queryRunner.query(
      `CREATE TABLE "sign_in_address_failures" ("address_tag" bytea NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "failures" integer NOT NULL DEFAULT '0', CONSTRAINT "sign_in_address_failures_pkey" PRIMARY KEY ("address_tag", "window_start"))`,
    );
    await queryRunner.query(`CREATE INDEX "sign_in_address_failures_window_idx" ON "sign_in_address_failures" ("window_start") `);
    await queryRunner.query(`
      CREATE TABLE "audit_repeats" (
        "event_key" bytea NOT NULL,
        "window_start" timestamptz NOT NULL,
        "repeats" integer NOT NULL DEFAULT 0,
        "last_request_id" varchar(128),
        "last_at" timestamptz,
        "actor_id" uuid,
        "actor_role" varchar(20),
        "action" varchar(64) NOT NULL,
        "target_type" varchar(40),
        "target_id" varchar(64),
        "scope_type" varchar(20),
        "scope_id" uuid,
        "outcome" varchar(10) NOT NULL,
        "details" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "audit_repeats_pkey" PRIMARY KEY ("event_key", "window_start")
      )`);
    await queryRunner.query(`CREATE INDEX "audit_repeats_window_idx" ON "audit_repeats" ("window_start")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_repeats"`);
    await queryRunner.query(`DROP INDEX "public"."sign_in_address_failures_window_idx"`);
    await queryRunner.query(`DROP TABLE "sign_in_address_failures"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "recovery_lockouts"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "recovery_locked_until"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "recovery_failed_attempts"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "lockouts"`);
  }
}
