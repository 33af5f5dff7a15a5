import { Migration } from '@sportello/platform';

export class Migration20261207105411_comune_territory_version extends Migration {

  override name = 'Migration20261207105411_comune_territory_version';

  override up(): void | Promise<void> {
    this.addSql(`alter table "comune_territory" add "version" int not null default 1;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "comune_territory" drop column "version";`);
  }

}
