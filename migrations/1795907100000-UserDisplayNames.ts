import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Display names (docs/identity.md, "Display names"): set by the administrator on the
 * invitation, copied to the account at enrolment. Clear, at most 100 characters; the
 * API refuses control characters.
 */
export class UserDisplayNames1795907100000 implements MigrationInterface {
  name = 'UserDisplayNames1795907100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "display_name" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "invitations" ADD "display_name" character varying(100)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitations" DROP COLUMN "display_name"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "display_name"`);
  }
}
