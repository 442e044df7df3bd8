import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentityAndTeamKeys1795905156816 implements MigrationInterface {
  name = 'CreateIdentityAndTeamKeys1795905156816';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "embassies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "country" character(2) NOT NULL, "city" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7981a01c4841427201f6eae5e5d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "embassies_country_city_name_key" ON "embassies"  ("country", "city", "name") `);
    await queryRunner.query(`CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "country" character(2) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "organizations_name_key" ON "organizations"  ("name") `);
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "role" character varying(20) NOT NULL, "embassy_id" uuid, "organization_id" uuid, "status" character varying(10) NOT NULL DEFAULT 'ACTIVE', "kdf_salt" character varying(32) NOT NULL, "kdf_opslimit" integer NOT NULL, "kdf_memlimit" bigint NOT NULL, "auth_key_hash" character varying(256) NOT NULL, "recovery_auth_key_hash" character varying(256) NOT NULL, "box_public_key" character varying(64) NOT NULL, "sign_public_key" character varying(64) NOT NULL, "fingerprint" character varying(128) NOT NULL, "password_bundle" jsonb NOT NULL, "recovery_bundle" jsonb NOT NULL, "totp_secret_sealed" bytea NOT NULL, "totp_enabled_at" TIMESTAMP WITH TIME ZONE, "totp_last_step" bigint NOT NULL DEFAULT '0', "failed_attempts" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "token_version" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "users_scope_check" CHECK (("role" = 'EMBASSY_CONTACT' AND "embassy_id" IS NOT NULL AND "organization_id" IS NULL)
   OR ("role" = 'NGO' AND "organization_id" IS NOT NULL AND "embassy_id" IS NULL)
   OR ("role" IN ('ADMIN', 'AUDITOR', 'COORDINATOR') AND "embassy_id" IS NULL AND "organization_id" IS NULL)), CONSTRAINT "users_status_check" CHECK ("status" IN ('ACTIVE', 'DISABLED')), CONSTRAINT "users_role_check" CHECK ("role" IN ('ADMIN', 'EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR')), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "users_organization_id_idx" ON "users"  ("organization_id") `);
    await queryRunner.query(`CREATE INDEX "users_embassy_id_idx" ON "users"  ("embassy_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users"  ("email") `);
    await queryRunner.query(`CREATE TABLE "login_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(40), CONSTRAINT "PK_856ef68c4c116c517937056c7bb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "login_sessions_user_id_idx" ON "login_sessions"  ("user_id") `);
    await queryRunner.query(`CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "session_id" uuid NOT NULL, "token_hash" bytea NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "refresh_tokens_session_id_idx" ON "refresh_tokens"  ("session_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"  ("token_hash") `);
    await queryRunner.query(`CREATE TABLE "team_key_generations" ("scope_id" uuid NOT NULL, "generation" integer NOT NULL, "scope_type" character varying(20) NOT NULL, "team_box_public_key" character varying(64) NOT NULL, "fingerprint" character varying(128) NOT NULL, "history_link" jsonb, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ff329c14f917e6c6475f25c4615" PRIMARY KEY ("scope_id", "generation"))`);
    await queryRunner.query(`CREATE TABLE "team_key_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope_id" uuid NOT NULL, "generation" integer NOT NULL, "recipient_id" uuid NOT NULL, "granter_id" uuid NOT NULL, "recipient_box_public_key" character varying(64) NOT NULL, "sealed_team_seed" character varying(128) NOT NULL, "signature" character varying(128) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_96aa5e28ac7d9b02c699c226436" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "team_key_grants_recipient_id_idx" ON "team_key_grants"  ("recipient_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "team_key_grants_scope_generation_recipient_key" ON "team_key_grants"  ("scope_id", "generation", "recipient_id") `);
    await queryRunner.query(`CREATE TABLE "data_key_wraps" ("key_id" uuid NOT NULL, "scope_id" uuid NOT NULL, "generation" integer NOT NULL, "sealed" character varying(192) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a86ca26e54380765cf68dddc3df" PRIMARY KEY ("key_id", "scope_id"))`);
    await queryRunner.query(`CREATE INDEX "data_key_wraps_scope_generation_idx" ON "data_key_wraps"  ("scope_id", "generation") `);
    await queryRunner.query(`CREATE TABLE "invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code_hash" bytea NOT NULL, "email" character varying(254) NOT NULL, "role" character varying(20) NOT NULL, "embassy_id" uuid, "organization_id" uuid, "created_by" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "invitations_scope_check" CHECK (("role" = 'EMBASSY_CONTACT' AND "embassy_id" IS NOT NULL AND "organization_id" IS NULL)
   OR ("role" = 'NGO' AND "organization_id" IS NOT NULL AND "embassy_id" IS NULL)
   OR ("role" IN ('ADMIN', 'AUDITOR', 'COORDINATOR') AND "embassy_id" IS NULL AND "organization_id" IS NULL)), CONSTRAINT "invitations_role_check" CHECK ("role" IN ('ADMIN', 'EMBASSY_CONTACT', 'NGO', 'COORDINATOR', 'AUDITOR')), CONSTRAINT "PK_5dec98cfdfd562e4ad3648bbb07" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "invitations_email_idx" ON "invitations"  ("email") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "invitations_code_hash_key" ON "invitations"  ("code_hash") `);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_b92c91162391cecfdd445269057" FOREIGN KEY ("embassy_id") REFERENCES "embassies"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "login_sessions" ADD CONSTRAINT "FK_b5edc6cc3a246a811005a96e06a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4" FOREIGN KEY ("session_id") REFERENCES "login_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_generations" ADD CONSTRAINT "FK_1554b677ae61c848db879d89995" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD CONSTRAINT "FK_51d62534ad469381eb76f766eaa" FOREIGN KEY ("scope_id", "generation") REFERENCES "team_key_generations"("scope_id","generation") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD CONSTRAINT "FK_541a2693c40f839fa3ce4496c1c" FOREIGN KEY ("recipient_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" ADD CONSTRAINT "FK_69c95d6137d7e93cad640482b8f" FOREIGN KEY ("granter_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" ADD CONSTRAINT "FK_126fc10407eccd2d96b5dd5fff6" FOREIGN KEY ("scope_id", "generation") REFERENCES "team_key_generations"("scope_id","generation") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "FK_3e3a25e9aac7ed6b753d5782dac" FOREIGN KEY ("embassy_id") REFERENCES "embassies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "FK_42d1dbb4d85dc3643fdc6560af0" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "FK_2afdbc73ee1fe16cf1f3929e920" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_2afdbc73ee1fe16cf1f3929e920"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_42d1dbb4d85dc3643fdc6560af0"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_3e3a25e9aac7ed6b753d5782dac"`);
    await queryRunner.query(`ALTER TABLE "data_key_wraps" DROP CONSTRAINT "FK_126fc10407eccd2d96b5dd5fff6"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP CONSTRAINT "FK_69c95d6137d7e93cad640482b8f"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP CONSTRAINT "FK_541a2693c40f839fa3ce4496c1c"`);
    await queryRunner.query(`ALTER TABLE "team_key_grants" DROP CONSTRAINT "FK_51d62534ad469381eb76f766eaa"`);
    await queryRunner.query(`ALTER TABLE "team_key_generations" DROP CONSTRAINT "FK_1554b677ae61c848db879d89995"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_3bf308fa93da3966f9e76fcfba4"`);
    await queryRunner.query(`ALTER TABLE "login_sessions" DROP CONSTRAINT "FK_b5edc6cc3a246a811005a96e06a"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_21a659804ed7bf61eb91688dea7"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_b92c91162391cecfdd445269057"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_code_hash_key"`);
    await queryRunner.query(`DROP INDEX "public"."invitations_email_idx"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
    await queryRunner.query(`DROP INDEX "public"."data_key_wraps_scope_generation_idx"`);
    await queryRunner.query(`DROP TABLE "data_key_wraps"`);
    await queryRunner.query(`DROP INDEX "public"."team_key_grants_scope_generation_recipient_key"`);
    await queryRunner.query(`DROP INDEX "public"."team_key_grants_recipient_id_idx"`);
    await queryRunner.query(`DROP TABLE "team_key_grants"`);
    await queryRunner.query(`DROP TABLE "team_key_generations"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_tokens_token_hash_key"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_tokens_session_id_idx"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."login_sessions_user_id_idx"`);
    await queryRunner.query(`DROP TABLE "login_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."users_email_key"`);
    await queryRunner.query(`DROP INDEX "public"."users_embassy_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."users_organization_id_idx"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."organizations_name_key"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
    await queryRunner.query(`DROP INDEX "public"."embassies_country_city_name_key"`);
    await queryRunner.query(`DROP TABLE "embassies"`);
  }
}
