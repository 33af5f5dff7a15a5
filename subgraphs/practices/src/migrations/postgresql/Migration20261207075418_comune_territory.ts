import { Migration } from '@sportello/platform';

export class Migration20261207075418_comune_territory extends Migration {

  override name = 'Migration20261207075418_comune_territory';

  override up(): void | Promise<void> {
    this.addSql(`create table "comune_territory" ("id" uuid not null, "comune" varchar(6) not null, "name" varchar(200) not null, "geometry" jsonb not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "comune_territory_comune_index" on "comune_territory" ("comune");`);
    this.addSql(`alter table "comune_territory" add constraint "comune_territory_comune_unique" unique ("comune");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "comune_territory" cascade;`);
  }

}
