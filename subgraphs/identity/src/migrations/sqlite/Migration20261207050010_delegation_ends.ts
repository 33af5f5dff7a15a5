import { Migration } from '@sportello/platform';

export class Migration20261207050010_delegation_ends extends Migration {
  override name = 'Migration20261207050010_delegation_ends';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`delegation\` add column \`end_announced_at\` datetime null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`delegation\` drop column \`end_announced_at\`;`);
  }
}
