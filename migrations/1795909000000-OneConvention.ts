import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The one convention of docs/architecture.md, in the schema.
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
 *
 * Named constraints: every primary and foreign key that carried a TypeORM hash name
 * (`PK_…`, `FK_…`) takes PostgreSQL's own: `<table>_pkey`, `<table>_<columns>_fkey`; the
 * entities declare the same names, so the drift check compares names a reader can read.
 * (The other constraints and indexes were named by hand already.) TypeORM's own
 * `migrations` table gets `migrations_pkey` too.
 */

/** [table, TypeORM's generated name, PostgreSQL-style name]. */
const RENAMED_CONSTRAINTS: readonly (readonly [string, string, string])[] = [
  ['migrations', 'PK_8c82d7f526340ab734260ea46be', 'migrations_pkey'],
  ['setup_token', 'PK_24ef0fde3e1c093dfaddad0de7e', 'setup_token_pkey'],
  ['embassies', 'PK_7981a01c4841427201f6eae5e5d', 'embassies_pkey'],
  ['users', 'PK_a3ffb1c0c8416b9fc6f907b7433', 'users_pkey'],
  ['users', 'FK_b92c91162391cecfdd445269057', 'users_embassy_id_fkey'],
  ['invitations', 'PK_5dec98cfdfd562e4ad3648bbb07', 'invitations_pkey'],
  ['invitations', 'FK_3e3a25e9aac7ed6b753d5782dac', 'invitations_embassy_id_fkey'],
  ['invitations', 'FK_9ed379f27fd5ca03182ce401027', 'invitations_replaces_user_id_fkey'],
  ['invitations', 'FK_2afdbc73ee1fe16cf1f3929e920', 'invitations_created_by_fkey'],
  ['login_sessions', 'PK_856ef68c4c116c517937056c7bb', 'login_sessions_pkey'],
  ['login_sessions', 'FK_b5edc6cc3a246a811005a96e06a', 'login_sessions_user_id_fkey'],
  ['refresh_tokens', 'PK_7d8bee0204106019488c4c50ffa', 'refresh_tokens_pkey'],
  ['refresh_tokens', 'FK_3bf308fa93da3966f9e76fcfba4', 'refresh_tokens_session_id_fkey'],
  ['team_key_generations', 'PK_ff329c14f917e6c6475f25c4615', 'team_key_generations_pkey'],
  ['team_key_generations', 'FK_1554b677ae61c848db879d89995', 'team_key_generations_created_by_fkey'],
  ['team_key_grants', 'PK_96aa5e28ac7d9b02c699c226436', 'team_key_grants_pkey'],
  ['team_key_grants', 'FK_51d62534ad469381eb76f766eaa', 'team_key_grants_scope_id_generation_fkey'],
  ['team_key_grants', 'FK_541a2693c40f839fa3ce4496c1c', 'team_key_grants_recipient_id_fkey'],
  ['team_key_grants', 'FK_69c95d6137d7e93cad640482b8f', 'team_key_grants_granter_id_fkey'],
  ['data_key_wraps', 'PK_a86ca26e54380765cf68dddc3df', 'data_key_wraps_pkey'],
  ['data_key_wraps', 'FK_126fc10407eccd2d96b5dd5fff6', 'data_key_wraps_scope_id_generation_fkey'],
  ['data_key_wraps', 'FK_cae106e223b031eba15d5b4d8bd', 'data_key_wraps_writer_id_fkey'],
  ['idempotency_records', 'PK_a0b1100808e4ccfa09fe10f9238', 'idempotency_records_pkey'],
  ['cases', 'PK_264acb3048c240fb89aa34626db', 'cases_pkey'],
  ['cases', 'FK_4174c8d10b22e19f9749d807a42', 'cases_embassy_id_fkey'],
  ['cases', 'FK_4819d5b164cf2b69a409a1f3785', 'cases_assigned_to_id_fkey'],
  ['cases', 'FK_79a95778f98bb16c4f606490c3b', 'cases_revision_author_id_fkey'],
  ['cases', 'FK_16623a33f4933798b679f058d0b', 'cases_created_by_fkey'],
  ['case_reference_counters', 'PK_a599e6172fb088f38f294e1f5d3', 'case_reference_counters_pkey'],
  ['case_reference_counters', 'FK_a7c1b828b40ea33c18082e149cd', 'case_reference_counters_embassy_id_fkey'],
  ['case_events', 'PK_61f203ee26b76c6438bbcc7bde6', 'case_events_pkey'],
  ['case_events', 'FK_259dbf949114e25670ac6cad205', 'case_events_case_id_fkey'],
  ['case_events', 'FK_db7a34d951f88fbb8b966f99edf', 'case_events_author_id_fkey'],
  ['case_blind_indexes', 'PK_ddeabcab4900ca1530aa1b3f9e0', 'case_blind_indexes_pkey'],
  ['case_blind_indexes', 'FK_6ac25947ee31ac2a037c5247062', 'case_blind_indexes_case_id_fkey'],
  ['case_blind_indexes', 'FK_8fc9f252bba5716f5cb3674e21e', 'case_blind_indexes_embassy_id_fkey'],
];

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

    // Named constraints.
    for (const [table, generated, named] of RENAMED_CONSTRAINTS) {
      await queryRunner.query(`ALTER TABLE "${table}" RENAME CONSTRAINT "${generated}" TO "${named}"`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, generated, named] of [...RENAMED_CONSTRAINTS].reverse()) {
      await queryRunner.query(`ALTER TABLE "${table}" RENAME CONSTRAINT "${named}" TO "${generated}"`);
    }
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
