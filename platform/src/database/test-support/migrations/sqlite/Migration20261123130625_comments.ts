import { Migration } from '@sportello/platform';

export class Migration20261123130625_comments extends Migration {

  override name = 'Migration20261123130625_comments';

  override up(): void | Promise<void> {
    this.addSql(`create table \`comment\` (\`id\` text not null primary key, \`comune\` text not null, \`note_id\` text not null, \`body\` text not null, constraint \`comment_note_id_foreign\` foreign key (\`note_id\`) references \`note\` (\`id\`));`);
    this.addSql(`create index \`comment_comune_index\` on \`comment\` (\`comune\`);`);
    this.addSql(`create index \`comment_note_id_index\` on \`comment\` (\`note_id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`comment\`;`);
  }

}
