import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every process keeps the access tokens it has seen in memory (libs/accounts AccessTokenCache)
 * and must hear at once when one stops being valid as it was, whichever code, cascade or
 * administrator's SQL changed it: a token deleted or changed ('t:<hash in hex>'), a user
 * deactivated, reactivated or made or unmade an administrator ('u:<user ID>'). NOTIFY is sent
 * when the transaction commits.
 */
export class AccessTokenNotifications1764000000000 implements MigrationInterface {
  name = 'AccessTokenNotifications1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION hearth_access_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('hearth_access_tokens', 't:' || encode(OLD.token_hash, 'hex'));
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER access_tokens_changed AFTER UPDATE OR DELETE ON access_tokens FOR EACH ROW EXECUTE FUNCTION hearth_access_token_changed()',
    );
    await queryRunner.query(`
      CREATE FUNCTION hearth_user_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('hearth_access_tokens', 'u:' || OLD.user_id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER users_access_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW
      EXECUTE FUNCTION hearth_user_access_changed()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER users_access_changed ON users');
    await queryRunner.query('DROP FUNCTION hearth_user_access_changed()');
    await queryRunner.query('DROP TRIGGER access_tokens_changed ON access_tokens');
    await queryRunner.query('DROP FUNCTION hearth_access_token_changed()');
  }
}
