import { Migration } from '@sportello/platform';

export class Migration20261207014117_alert_reached_critical extends Migration {

  override name = 'Migration20261207014117_alert_reached_critical';

  override up(): void | Promise<void> {
    this.addSql(`alter table "alert" add "reached_critical" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "alert" drop column "reached_critical";`);
  }

}
