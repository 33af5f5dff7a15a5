import { Migration } from '@sportello/platform';

export class Migration20261207023506_planning_progress extends Migration {

  override name = 'Migration20261207023506_planning_progress';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`notification\` add column \`audience_cursor\` text null;`);
    this.addSql(`alter table \`notification\` add column \`planned_recipients\` integer not null default 0;`);
    this.addSql(`alter table \`notification\` add column \`event\` json null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`notification\` drop column \`audience_cursor\`;`);
    this.addSql(`alter table \`notification\` drop column \`planned_recipients\`;`);
    this.addSql(`alter table \`notification\` drop column \`event\`;`);
  }

}
