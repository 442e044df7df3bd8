import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Protocol 2: signed data-key wraps and grants that vouch for the recipient's sign key.
 *
 * data_key_wraps gains the record each wrap belongs to (entity, record_id), backfilled
 * from the case whose key it wraps (every wrap so far is a case's: cases.key_id is
 * unique), and its writer and signature, NULL for the rows written before: legacy
 * unsigned wraps, which readers refuse until a member re-signs them. team_key_grants
 * records each grant's format version (1 for every grant so far) and, for version 2, the
 * recipient sign key it vouches for. Generated from the entities, with the backfill
 * between adding the record columns and making them NOT NULL.
 */

export class SignedWrapsAndGrants1795907000000 implements MigrationInterface {
  name = 'SignedWrapsAndGrants1795907000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD "version" smallint NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD "recipient_sign_public_key" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD "entity" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD "record_id" uuid`);
    await queryRunner.query(`UPDATE "data_key_wraps" w SET "entity" = 'case', "record_id" = c."id" FROM "cases" c WHERE c."key_id" = w."key_id"`);
    // A wrap of no case would stop the migration here: it opens nothing, but deleting key
    // material is for an operator to decide, not a migration.
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ALTER COLUMN "entity" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ALTER COLUMN "record_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD "writer_id" uuid`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD "signature" character varying(128)`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD CONSTRAINT "team_key_grants_version_check" CHECK (("version" = 1 AND "recipient_sign_public_key" IS NULL) OR ("version" = 2 AND "recipient_sign_public_key" IS NOT NULL))`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD CONSTRAINT "data_key_wraps_signed_check" CHECK (("writer_id" IS NULL) = ("signature" IS NULL))`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD CONSTRAINT "FK_cae106e223b031eba15d5b4d8bd" FOREIGN KEY ("writer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP CONSTRAINT "FK_cae106e223b031eba15d5b4d8bd"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP CONSTRAINT "data_key_wraps_signed_check"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP CONSTRAINT "team_key_grants_version_check"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP COLUMN "signature"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP COLUMN "writer_id"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP COLUMN "record_id"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP COLUMN "entity"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP COLUMN "recipient_sign_public_key"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP COLUMN "version"`);
  }
}
