import { Migration } from '@sportello/platform';

export class Migration20261207042718_app_grants extends Migration {

  override name = 'Migration20261207042718_app_grants';

  override up(): void | Promise<void> {
    this.addSql(`alter table "consent_grant" add "last_used_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "consent_grant" drop column "last_used_at";`);
  }

}
