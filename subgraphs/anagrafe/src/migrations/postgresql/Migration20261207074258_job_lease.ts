import { Migration } from '@sportello/platform';

export class Migration20261207074258_job_lease extends Migration {

  override name = 'Migration20261207074258_job_lease';

  override up(): void | Promise<void> {
    this.addSql(`create table "job_lease" ("name" varchar(100) not null, "holder" varchar(200) null, "until" timestamptz(3) not null, "done_slot" timestamptz(3) null, primary key ("name"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "job_lease" cascade;`);
  }

}
