import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keyring (src/keys/keyring.service.ts) and chunked, resumable rotations
 * (docs/protocol.md §5.16).
 *
 * - team_key_generations.superseded_at: NULL on exactly one row per scope, the current
 *   generation (team_key_generations_scope_id_current_key). A rotation's start UPDATEs
 *   the current row before inserting the next one, so every writer that checks the
 *   generation with `FOR SHARE` on that row (keyring.repository.ts,
 *   CURRENT_GENERATION_FOR_SHARE) waits for it, then finds the row no longer current.
 *   Backfilled: every generation but the newest of its scope is superseded when the next
 *   one was created.
 * - data_key_wraps: one wrap per (key, scope, generation) instead of per (key, scope), so
 *   that a rotation in progress keeps the old generation's wrap beside the new one until
 *   it completes (readers never lose a key). Index for the rotation's keyset pages and
 *   for a record's wraps (shred, transfer).
 * - team_key_rotations: one row per rotation; a partial unique index lets only one be in
 *   progress per scope.
 */
export class KeyringRotations1795909300000 implements MigrationInterface {
  name = 'KeyringRotations1795909300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_key_generations" ADD "superseded_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "team_key_generations" t SET "superseded_at" = n."created_at"
                               FROM "team_key_generations" n
                              WHERE n."scope_id" = t."scope_id" AND n."generation" = t."generation" + 1`);
    // A generation with a gap after it (none is ever written) still must not stay current.
    await queryRunner.query(`UPDATE "team_key_generations" t SET "superseded_at" = t."created_at"
                              WHERE t."superseded_at" IS NULL
                                AND EXISTS (SELECT 1 FROM "team_key_generations" n WHERE n."scope_id" = t."scope_id" AND n."generation" > t."generation")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "team_key_generations_scope_id_current_key" ON "team_key_generations" ("scope_id") WHERE superseded_at IS NULL`,
    );

    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP CONSTRAINT "data_key_wraps_pkey"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD CONSTRAINT "data_key_wraps_pkey" PRIMARY KEY ("key_id", "scope_id", "generation")`);
    await queryRunner.query(`DROP INDEX "public"."data_key_wraps_scope_generation_idx"`);
    await queryRunner.query(
      `CREATE INDEX "data_key_wraps_scope_id_generation_key_id_idx" ON "data_key_wraps" ("scope_id", "generation", "key_id") `,
    );
    await queryRunner.query(`CREATE INDEX "data_key_wraps_entity_record_id_idx" ON "data_key_wraps" ("entity", "record_id") `);

    await queryRunner.query(`CREATE TABLE "team_key_rotations" (
        "id" uuid NOT NULL,
        "scope_id" uuid NOT NULL,
        "from_generation" integer NOT NULL,
        "to_generation" integer NOT NULL,
        "state" character varying(20) NOT NULL,
        "started_by" uuid NOT NULL,
        "data_keys_total" integer NOT NULL,
        "data_keys_resealed" integer NOT NULL DEFAULT '0',
        "chunks" integer NOT NULL DEFAULT '0',
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "completed_by" uuid,
        "old_wraps_deleted" integer,
        CONSTRAINT "team_key_rotations_state_check" CHECK ("state" IN ('IN_PROGRESS', 'COMPLETED')),
        CONSTRAINT "team_key_rotations_generations_check" CHECK ("to_generation" = "from_generation" + 1),
        CONSTRAINT "team_key_rotations_completed_check" CHECK (("state" = 'COMPLETED') = ("completed_at" IS NOT NULL) AND ("completed_at" IS NULL) = ("completed_by" IS NULL)),
        CONSTRAINT "team_key_rotations_scope_id_to_generation_key" UNIQUE ("scope_id", "to_generation"),
        CONSTRAINT "team_key_rotations_pkey" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "team_key_rotations_scope_id_in_progress_key" ON "team_key_rotations" ("scope_id") WHERE state = 'IN_PROGRESS'`,
    );
    await queryRunner.query(`ALTER TABLE "team_key_rotations" ADD CONSTRAINT "team_key_rotations_scope_id_to_generation_fkey" FOREIGN KEY ("scope_id", "to_generation") REFERENCES "team_key_generations"("scope_id","generation") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_rotations" ADD CONSTRAINT "team_key_rotations_started_by_fkey" FOREIGN KEY ("started_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_rotations" ADD CONSTRAINT "team_key_rotations_completed_by_fkey" FOREIGN KEY ("completed_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_key_rotations" DROP CONSTRAINT "team_key_rotations_completed_by_fkey"`);
    await queryRunner.query(`ALTER TABLE "team_key_rotations" DROP CONSTRAINT "team_key_rotations_started_by_fkey"`);
    await queryRunner.query(`ALTER TABLE "team_key_rotations" DROP CONSTRAINT "team_key_rotations_scope_id_to_generation_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."team_key_rotations_scope_id_in_progress_key"`);
    await queryRunner.query(`DROP TABLE "team_key_rotations"`);
    await queryRunner.query(`DROP INDEX "public"."data_key_wraps_entity_record_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."data_key_wraps_scope_id_generation_key_id_idx"`);
    await queryRunner.query(`CREATE INDEX "data_key_wraps_scope_generation_idx" ON "data_key_wraps" ("scope_id", "generation") `);
    // Going back to one wrap per (key, scope): keep the newest generation's.
    await queryRunner.query(`DELETE FROM "data_key_wraps" w USING "data_key_wraps" n
                              WHERE n."key_id" = w."key_id" AND n."scope_id" = w."scope_id" AND n."generation" > w."generation"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP CONSTRAINT "data_key_wraps_pkey"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD CONSTRAINT "data_key_wraps_pkey" PRIMARY KEY ("key_id", "scope_id")`);
    await queryRunner.query(`DROP INDEX "public"."team_key_generations_scope_id_current_key"`);
    await queryRunner.query(`ALTER TABLE "team_key_generations" DROP COLUMN "superseded_at"`);
  }
}
