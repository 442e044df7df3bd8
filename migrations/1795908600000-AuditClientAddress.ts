import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The client address of the request behind each audit event (docs/identity.md, "What the
 * audit trail holds"): the socket's, or the forwarded one behind a trusted proxy. Null for
 * events without a request (start-up, timers) and for events written before this column.
 * audit_repeats keeps the address of the last repeat it counted.
 */
export class AuditClientAddress1795908600000 implements MigrationInterface {
  name = 'AuditClientAddress1795908600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "client_address" inet`);
    await queryRunner.query(`ALTER TABLE "audit_repeats" ADD "last_client_address" inet`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_repeats" DROP COLUMN "last_client_address"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "client_address"`);
  }
}
