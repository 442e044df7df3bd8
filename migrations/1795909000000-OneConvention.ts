import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10's one convention, in the schema.
 *
 * Versions: embassies, organisations and accounts carry the version an administrative
 * update is based on (`UPDATE … WHERE version = $n`; a stale one answers 409
 * version-conflict). Existing rows start at 1. An account's version counts administrative
 * changes only (role, scope, status); sign-ins and credential changes leave it alone.
 */
export class OneConvention1795909000000 implements MigrationInterface {
  name = 'OneConvention1795909000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "embassies" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "organizations" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "version" integer NOT NULL DEFAULT '1'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "embassies" DROP COLUMN "version"`);
  }
}
