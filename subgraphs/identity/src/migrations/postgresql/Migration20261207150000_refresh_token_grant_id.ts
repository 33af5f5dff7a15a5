import { Migration } from '@sportello/platform';

export class Migration20261207150000_refresh_token_grant_id extends Migration {

  override name = 'Migration20261207150000_refresh_token_grant_id';

  override up(): void | Promise<void> {
    this.addSql(`alter table "refresh_token" add "grant_id" varchar(255) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "refresh_token" drop column "grant_id";`);
  }

}
