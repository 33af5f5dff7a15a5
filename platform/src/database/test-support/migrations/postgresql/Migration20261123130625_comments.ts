import { Migration } from '@sportello/platform';

export class Migration20261123130625_comments extends Migration {

  override name = 'Migration20261123130625_comments';

  override up(): void | Promise<void> {
    this.addSql(`create table "comment" ("id" uuid not null, "comune" varchar(6) not null, "note_id" uuid not null, "body" varchar(500) not null, primary key ("id"));`);
    this.addSql(`create index "comment_comune_index" on "comment" ("comune");`);

    this.addSql(`alter table "comment" add constraint "comment_note_id_foreign" foreign key ("note_id") references "note" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "comment" cascade;`);
  }

}
