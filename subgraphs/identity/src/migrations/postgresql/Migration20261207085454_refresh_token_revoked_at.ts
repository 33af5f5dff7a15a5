import { Migration } from '@sportello/platform';

export class Migration20261207085454_refresh_token_revoked_at extends Migration {

  override name = 'Migration20261207085454_refresh_token_revoked_at';

  override up(): void | Promise<void> {
    this.addSql(`create index "refresh_token_revoked_at_index" on "refresh_token" ("revoked_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "refresh_token_revoked_at_index";`);
  }

}
