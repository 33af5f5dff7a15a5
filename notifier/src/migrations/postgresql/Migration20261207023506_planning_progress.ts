import { Migration } from '@sportello/platform';

export class Migration20261207023506_planning_progress extends Migration {

  override name = 'Migration20261207023506_planning_progress';

  override up(): void | Promise<void> {
    this.addSql(`alter table "notification" add "audience_cursor" varchar(16) null, add "planned_recipients" int not null default 0, add "event" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "notification" drop column "audience_cursor", drop column "planned_recipients", drop column "event";`);
  }

}
