import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (docs/identity.md, Audit): insert-only, keyed by (txid, id) so that a later
 * sealer can hash committed events in a stable order without any lock on the write
 * path. Written by hand: xid8 is outside TypeORM's column types, and the triggers that
 * refuse UPDATE, DELETE and TRUNCATE are not entity metadata.
 */
export class CreateAuditEvents1795905200000 implements MigrationInterface {
  name = 'CreateAuditEvents1795905200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_events" (
        "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
        "id" bigint GENERATED ALWAYS AS IDENTITY,
        "occurred_at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "actor_id" uuid,
        "actor_role" varchar(20),
        "action" varchar(64) NOT NULL,
        "target_type" varchar(40),
        "target_id" varchar(64),
        "scope_type" varchar(20),
        "scope_id" uuid,
        "request_id" varchar(128),
        "outcome" varchar(10) NOT NULL,
        "details" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "audit_events_pkey" PRIMARY KEY ("txid", "id"),
        CONSTRAINT "audit_events_outcome_check" CHECK ("outcome" IN ('SUCCESS', 'FAILURE', 'DENIED'))
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_actor_idx" ON "audit_events" ("actor_id", "occurred_at")`);
    await queryRunner.query(`CREATE INDEX "audit_events_target_idx" ON "audit_events" ("target_type", "target_id")`);
    await queryRunner.query(`CREATE INDEX "audit_events_scope_idx" ON "audit_events" ("scope_id", "occurred_at")`);
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_refuse_change"()`);
    await queryRunner.query(`
      CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_refuse_change"()`);
  }
}
