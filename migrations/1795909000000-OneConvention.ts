import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10's one convention, in the schema.
 *
 * Versions: embassies, organisations and accounts carry the version an administrative
 * update is based on (`UPDATE … WHERE version = $n`; a stale one answers 409
 * version-conflict). Existing rows start at 1. An account's version counts administrative
 * changes only (role, scope, status); sign-ins and credential changes leave it alone.
 *
 * One spelling, "organisation": the table, the scope columns of users and invitations,
 * their indexes, foreign keys and scope checks, and the scope type's value in the rows
 * that hold one. audit_events keeps what it recorded (`ORGANIZATION`, `organization.*`):
 * the trail is append-only by trigger and by design, and a later reader maps the old
 * spelling; audit_repeats, a working table outside the trail, is updated.
 */
const SCOPE_CHECK = (column: string): string => `("role" = 'EMBASSY_CONTACT' AND "embassy_id" IS NOT NULL AND "${column}" IS NULL)
   OR ("role" = 'NGO' AND "${column}" IS NOT NULL AND "embassy_id" IS NULL)
   OR ("role" IN ('ADMIN', 'AUDITOR', 'COORDINATOR') AND "embassy_id" IS NULL AND "${column}" IS NULL)`;

export class OneConvention1795909000000 implements MigrationInterface {
  name = 'OneConvention1795909000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "embassies" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "organizations" ADD "version" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "version" integer NOT NULL DEFAULT '1'`);

    // One spelling: organisation.
    await queryRunner.query(`ALTER TABLE "organizations" RENAME TO "organisations"`);
    await queryRunner.query(`ALTER TABLE "organisations" RENAME CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" TO "organisations_pkey"`);
    await queryRunner.query(`ALTER INDEX "organizations_name_key" RENAME TO "organisations_name_key"`);
    for (const table of ['users', 'invitations']) {
      await queryRunner.query(`ALTER TABLE "${table}" RENAME COLUMN "organization_id" TO "organisation_id"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_scope_check"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_scope_check" CHECK (${SCOPE_CHECK('organisation_id')})`);
    }
    await queryRunner.query(`ALTER INDEX "users_organization_id_idx" RENAME TO "users_organisation_id_idx"`);
    await queryRunner.query(`ALTER TABLE "users" RENAME CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" TO "users_organisation_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "invitations" RENAME CONSTRAINT "FK_42d1dbb4d85dc3643fdc6560af0" TO "invitations_organisation_id_fkey"`);
    await queryRunner.query(`UPDATE "team_key_generations" SET "scope_type" = 'ORGANISATION' WHERE "scope_type" = 'ORGANIZATION'`);
    await queryRunner.query(`UPDATE "audit_repeats" SET "scope_type" = 'ORGANISATION' WHERE "scope_type" = 'ORGANIZATION'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "audit_repeats" SET "scope_type" = 'ORGANIZATION' WHERE "scope_type" = 'ORGANISATION'`);
    await queryRunner.query(`UPDATE "team_key_generations" SET "scope_type" = 'ORGANIZATION' WHERE "scope_type" = 'ORGANISATION'`);
    await queryRunner.query(`ALTER TABLE "invitations" RENAME CONSTRAINT "invitations_organisation_id_fkey" TO "FK_42d1dbb4d85dc3643fdc6560af0"`);
    await queryRunner.query(`ALTER TABLE "users" RENAME CONSTRAINT "users_organisation_id_fkey" TO "FK_21a659804ed7bf61eb91688dea7"`);
    await queryRunner.query(`ALTER INDEX "users_organisation_id_idx" RENAME TO "users_organization_id_idx"`);
    for (const table of ['users', 'invitations']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_scope_check"`);
      await queryRunner.query(`ALTER TABLE "${table}" RENAME COLUMN "organisation_id" TO "organization_id"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_scope_check" CHECK (${SCOPE_CHECK('organization_id')})`);
    }
    await queryRunner.query(`ALTER INDEX "organisations_name_key" RENAME TO "organizations_name_key"`);
    await queryRunner.query(`ALTER TABLE "organisations" RENAME CONSTRAINT "organisations_pkey" TO "PK_6b031fcd0863e3f6b44230163f9"`);
    await queryRunner.query(`ALTER TABLE "organisations" RENAME TO "organizations"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "version"`);
    await queryRunner.query(`ALTER TABLE "embassies" DROP COLUMN "version"`);
  }
}
