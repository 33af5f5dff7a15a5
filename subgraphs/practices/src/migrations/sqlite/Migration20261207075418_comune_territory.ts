import { Migration } from '@sportello/platform';

export class Migration20261207075418_comune_territory extends Migration {

  override name = 'Migration20261207075418_comune_territory';

  override up(): void | Promise<void> {
    this.addSql(`create table \`comune_territory\` (\`id\` text not null primary key, \`comune\` text not null, \`name\` text not null, \`geometry\` json not null, \`updated_at\` datetime not null);`);
    this.addSql(`create index \`comune_territory_comune_index\` on \`comune_territory\` (\`comune\`);`);
    this.addSql(`create unique index \`comune_territory_comune_unique\` on \`comune_territory\` (\`comune\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`comune_territory\`;`);
  }

}
