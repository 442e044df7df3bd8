import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Defender cases (docs/cases.md): cases with their clear fields and sealed envelopes,
 * the per-embassy reference counters, timeline events, blind indexes, and the
 * idempotency records of POSTs that create. Generated from the entities; GIN indexes
 * serve the threat-type and defender-group filters.
 */

export class CreateCases1795906679358 implements MigrationInterface {
  name = 'CreateCases1795906679358';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "cases" ("id" uuid NOT NULL, "reference" character varying(32) NOT NULL, "embassy_id" uuid NOT NULL, "status" character varying(20) NOT NULL, "risk_level" character varying(10) NOT NULL, "threat_types" text array NOT NULL, "defender_groups" text array NOT NULL, "country_of_activity" character(2) NOT NULL, "assigned_to_id" uuid, "next_review_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, "consent_to_transfer" boolean NOT NULL DEFAULT false, "consent_to_transfer_at" TIMESTAMP WITH TIME ZONE, "consent_to_refuge_sharing" boolean NOT NULL DEFAULT false, "consent_to_refuge_sharing_at" TIMESTAMP WITH TIME ZONE, "key_id" uuid NOT NULL, "envelopes" jsonb, "revision" integer NOT NULL, "revision_author_id" uuid NOT NULL, "revision_signature" character varying(128), "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "shredded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "cases_sealed_check" CHECK (("shredded_at" IS NULL AND "envelopes" IS NOT NULL AND "revision_signature" IS NOT NULL)
   OR ("shredded_at" IS NOT NULL AND "envelopes" IS NULL AND "revision_signature" IS NULL)), CONSTRAINT "cases_risk_level_check" CHECK ("risk_level" IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')), CONSTRAINT "cases_status_check" CHECK ("status" IN ('OPEN', 'ASSESSING', 'PROTECTION_ACTIVE', 'MONITORING', 'CLOSED')), CONSTRAINT "PK_264acb3048c240fb89aa34626db" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "cases_defender_groups_idx" ON "cases" USING gin ("defender_groups") `);
    await queryRunner.query(`CREATE INDEX "cases_threat_types_idx" ON "cases" USING gin ("threat_types") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_next_review_idx" ON "cases"  ("embassy_id", "next_review_at") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_assigned_to_idx" ON "cases"  ("embassy_id", "assigned_to_id") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_country_idx" ON "cases"  ("embassy_id", "country_of_activity") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_risk_level_idx" ON "cases"  ("embassy_id", "risk_level") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_status_idx" ON "cases"  ("embassy_id", "status") `);
    await queryRunner.query(`CREATE INDEX "cases_embassy_created_idx" ON "cases"  ("embassy_id", "created_at", "id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "cases_key_id_key" ON "cases"  ("key_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "cases_embassy_reference_key" ON "cases"  ("embassy_id", "reference") `);
    await queryRunner.query(`CREATE TABLE "case_reference_counters" ("embassy_id" uuid NOT NULL, "year" integer NOT NULL, "last" integer NOT NULL, CONSTRAINT "PK_a599e6172fb088f38f294e1f5d3" PRIMARY KEY ("embassy_id", "year"))`);
    await queryRunner.query(`CREATE TABLE "case_blind_indexes" ("case_id" uuid NOT NULL, "field_id" character varying(16) NOT NULL, "value" character varying(24) NOT NULL, "embassy_id" uuid NOT NULL, CONSTRAINT "case_blind_indexes_field_check" CHECK ("field_id" IN ('name', 'passport')), CONSTRAINT "PK_ddeabcab4900ca1530aa1b3f9e0" PRIMARY KEY ("case_id", "field_id", "value"))`);
    await queryRunner.query(`CREATE INDEX "case_blind_indexes_lookup_idx" ON "case_blind_indexes"  ("embassy_id", "field_id", "value") `);
    await queryRunner.query(`CREATE TABLE "case_events" ("id" uuid NOT NULL, "case_id" uuid NOT NULL, "type" character varying(20) NOT NULL, "body" text, "author_id" uuid NOT NULL, "signature" character varying(128), "details" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "case_events_signed_body_check" CHECK (("body" IS NULL) = ("signature" IS NULL)), CONSTRAINT "case_events_type_check" CHECK ("type" IN ('THREAT_INCIDENT', 'CONTACT', 'MEASURE', 'REVIEW', 'TRANSFER', 'STATUS_CHANGE')), CONSTRAINT "PK_61f203ee26b76c6438bbcc7bde6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "case_events_case_created_idx" ON "case_events"  ("case_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TABLE "idempotency_records" ("actor_id" uuid NOT NULL, "operation" character varying(120) NOT NULL, "idempotency_key" character varying(128) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a0b1100808e4ccfa09fe10f9238" PRIMARY KEY ("actor_id", "operation", "idempotency_key"))`);
    await queryRunner.query(`CREATE INDEX "idempotency_records_created_idx" ON "idempotency_records"  ("created_at") `);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_4174c8d10b22e19f9749d807a42" FOREIGN KEY ("embassy_id") REFERENCES "embassies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_4819d5b164cf2b69a409a1f3785" FOREIGN KEY ("assigned_to_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_79a95778f98bb16c4f606490c3b" FOREIGN KEY ("revision_author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "FK_16623a33f4933798b679f058d0b" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_reference_counters" ADD CONSTRAINT "FK_a7c1b828b40ea33c18082e149cd" FOREIGN KEY ("embassy_id") REFERENCES "embassies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_blind_indexes" ADD CONSTRAINT "FK_6ac25947ee31ac2a037c5247062" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_blind_indexes" ADD CONSTRAINT "FK_8fc9f252bba5716f5cb3674e21e" FOREIGN KEY ("embassy_id") REFERENCES "embassies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_events" ADD CONSTRAINT "FK_259dbf949114e25670ac6cad205" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "case_events" ADD CONSTRAINT "FK_db7a34d951f88fbb8b966f99edf" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "FK_db7a34d951f88fbb8b966f99edf"`);
    await queryRunner.query(`ALTER TABLE "case_events" DROP CONSTRAINT "FK_259dbf949114e25670ac6cad205"`);
    await queryRunner.query(`ALTER TABLE "case_blind_indexes" DROP CONSTRAINT "FK_8fc9f252bba5716f5cb3674e21e"`);
    await queryRunner.query(`ALTER TABLE "case_blind_indexes" DROP CONSTRAINT "FK_6ac25947ee31ac2a037c5247062"`);
    await queryRunner.query(`ALTER TABLE "case_reference_counters" DROP CONSTRAINT "FK_a7c1b828b40ea33c18082e149cd"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_16623a33f4933798b679f058d0b"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_79a95778f98bb16c4f606490c3b"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_4819d5b164cf2b69a409a1f3785"`);
    await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "FK_4174c8d10b22e19f9749d807a42"`);
    await queryRunner.query(`DROP INDEX "public"."idempotency_records_created_idx"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."case_events_case_created_idx"`);
    await queryRunner.query(`DROP TABLE "case_events"`);
    await queryRunner.query(`DROP INDEX "public"."case_blind_indexes_lookup_idx"`);
    await queryRunner.query(`DROP TABLE "case_blind_indexes"`);
    await queryRunner.query(`DROP TABLE "case_reference_counters"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_reference_key"`);
    await queryRunner.query(`DROP INDEX "public"."cases_key_id_key"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_status_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_risk_level_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_country_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_assigned_to_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_embassy_next_review_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_threat_types_idx"`);
    await queryRunner.query(`DROP INDEX "public"."cases_defender_groups_idx"`);
    await queryRunner.query(`DROP TABLE "cases"`);
  }
}
