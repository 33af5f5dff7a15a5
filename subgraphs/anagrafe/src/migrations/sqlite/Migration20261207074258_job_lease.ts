import { Migration } from '@sportello/platform';

export class Migration20261207074258_job_lease extends Migration {

  override name = 'Migration20261207074258_job_lease';

  override up(): void | Promise<void> {
    this.addSql(`create table \`job_lease\` (\`name\` text not null primary key, \`holder\` text null, \`until\` datetime not null, \`done_slot\` datetime null);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`job_lease\`;`);
  }

}
