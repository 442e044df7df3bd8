import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSetupToken1795904447684 implements MigrationInterface {
  name = 'CreateSetupToken1795904447684';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "setup_token" ("id" smallint NOT NULL DEFAULT '1', "token_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "consumed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "setup_token_single_row" CHECK ("id" = 1), CONSTRAINT "PK_24ef0fde3e1c093dfaddad0de7e" PRIMARY KEY ("id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "setup_token"`);
  }
}
