import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReenrolmentAndUserFilters1795906272912 implements MigrationInterface {
  name = 'ReenrolmentAndUserFilters1795906272912';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" ADD "replaces_user_id" uuid`);
    await queryRunner.query(`CREATE INDEX "users_role_status_idx" ON "users"  ("role", "status") `);
    await queryRunner.query(`ALTER TABLE "invitations" ADD CONSTRAINT "FK_9ed379f27fd5ca03182ce401027" FOREIGN KEY ("replaces_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "FK_9ed379f27fd5ca03182ce401027"`);
    await queryRunner.query(`DROP INDEX "public"."users_role_status_idx"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "replaces_user_id"`);
  }
}
