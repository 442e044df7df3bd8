import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The authenticated hot path across instances (docs/identity.md, "Sessions and
 * revocation"; docs/operations.md, "Several instances"):
 *
 * - Triggers that `NOTIFY egide_principal` on every change that revokes or changes a
 *   principal: a user's status, role, scope, token version, MFA activation or authKeys;
 *   a login session revoked or deleted; a team key grant made or removed (payload
 *   `user:<id>`); a team generation made or removed (payload `scope:<id>`: it changes who
 *   holds the scope's current generation). A trigger runs inside the writing transaction,
 *   so the notification is delivered exactly when that transaction commits and never
 *   when it rolls back, and no service has to remember to send it. Each instance keeps a
 *   principal cache that drops what the payload names (src/auth/principal-cache.ts).
 *   The users condition lists every column the principal query (PRINCIPAL_SQL) reads: a
 *   new one there needs a new migration extending it.
 * - `rate_limit_windows`: the throttler's fixed windows, shared by every instance. An
 *   UNLOGGED table: a rate-limit counter is worth neither a WAL record nor a flush per
 *   request, and losing it in a crash only restarts the current windows (a client gets
 *   at most one fresh window's budget after a crash that itself took the service down).
 *   Not an entity (like audit_repeats): the throttler's storage owns its SQL. The key is
 *   an HMAC of the client address (never the address), and no index but the primary
 *   key, so that every update of a window stays a HOT update.
 */
export class PrincipalNotificationsAndRateLimits1795909100000 implements MigrationInterface {
  name = 'PrincipalNotificationsAndRateLimits1795909100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // TG_ARGV[0]: the payload's kind (user or scope); TG_ARGV[1]: the row's column naming it.
    await queryRunner.query(`
      CREATE FUNCTION "notify_principal_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
      BEGIN
        PERFORM pg_notify('egide_principal', TG_ARGV[0] || ':' || (changed ->> TG_ARGV[1]));
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "users_principal_change_notify" AFTER UPDATE ON "users" FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role
         OR OLD.embassy_id IS DISTINCT FROM NEW.embassy_id OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id
         OR OLD.token_version IS DISTINCT FROM NEW.token_version OR OLD.totp_enabled_at IS DISTINCT FROM NEW.totp_enabled_at
         OR OLD.auth_key_hash IS DISTINCT FROM NEW.auth_key_hash OR OLD.recovery_auth_key_hash IS DISTINCT FROM NEW.recovery_auth_key_hash)
      EXECUTE FUNCTION "notify_principal_change"('user', 'id')`);
    await queryRunner.query(
      `CREATE TRIGGER "users_principal_delete_notify" AFTER DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "notify_principal_change"('user', 'id')`,
    );
    await queryRunner.query(`
      CREATE TRIGGER "login_sessions_principal_change_notify" AFTER UPDATE ON "login_sessions" FOR EACH ROW
      WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.user_id IS DISTINCT FROM NEW.user_id)
      EXECUTE FUNCTION "notify_principal_change"('user', 'user_id')`);
    await queryRunner.query(
      `CREATE TRIGGER "login_sessions_principal_delete_notify" AFTER DELETE ON "login_sessions" FOR EACH ROW EXECUTE FUNCTION "notify_principal_change"('user', 'user_id')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "team_key_grants_principal_change_notify" AFTER INSERT OR DELETE ON "team_key_grants" FOR EACH ROW EXECUTE FUNCTION "notify_principal_change"('user', 'recipient_id')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "team_key_generations_principal_change_notify" AFTER INSERT OR DELETE ON "team_key_generations" FOR EACH ROW EXECUTE FUNCTION "notify_principal_change"('scope', 'scope_id')`,
    );
    await queryRunner.query(`
      CREATE UNLOGGED TABLE "rate_limit_windows" (
        "key" bytea NOT NULL,
        "ends_at" timestamptz NOT NULL,
        "hits" integer NOT NULL,
        CONSTRAINT "rate_limit_windows_pkey" PRIMARY KEY ("key")
      ) WITH (fillfactor = 70)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit_windows"`);
    await queryRunner.query(`DROP TRIGGER "team_key_generations_principal_change_notify" ON "team_key_generations"`);
    await queryRunner.query(`DROP TRIGGER "team_key_grants_principal_change_notify" ON "team_key_grants"`);
    await queryRunner.query(`DROP TRIGGER "login_sessions_principal_delete_notify" ON "login_sessions"`);
    await queryRunner.query(`DROP TRIGGER "login_sessions_principal_change_notify" ON "login_sessions"`);
    await queryRunner.query(`DROP TRIGGER "users_principal_delete_notify" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "users_principal_change_notify" ON "users"`);
    await queryRunner.query(`DROP FUNCTION "notify_principal_change"()`);
  }
}
