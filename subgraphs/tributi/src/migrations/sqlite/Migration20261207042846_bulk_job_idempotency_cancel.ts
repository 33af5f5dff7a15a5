import { Migration } from '@sportello/platform';

export class Migration20261207042846_bulk_job_idempotency_cancel extends Migration {

  override name = 'Migration20261207042846_bulk_job_idempotency_cancel';

  override up(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`bulk_job__temp_alter\` (\`id\` text not null primary key, \`comune\` text not null, \`idempotency_key\` text null, \`request_hash\` text null, \`status\` text check (\`status\` in ('queued', 'running', 'completed', 'failed', 'cancelled')) not null, \`kind\` text check (\`kind\` in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other')) not null, \`year\` integer not null, \`description\` text not null, \`due_dates\` json not null, \`items\` json not null, \`total\` integer not null, \`processed\` integer not null, \`created_by\` text not null, \`created_at\` datetime not null, \`started_at\` datetime null, \`finished_at\` datetime null, \`error\` text null);`);
    this.addSql(`insert into \`bulk_job__temp_alter\` select \`id\`, \`comune\`, null as \`idempotency_key\`, null as \`request_hash\`, \`status\`, \`kind\`, \`year\`, \`description\`, \`due_dates\`, \`items\`, \`total\`, \`processed\`, \`created_by\`, \`created_at\`, \`started_at\`, \`finished_at\`, \`error\` from \`bulk_job\`;`);
    this.addSql(`drop table \`bulk_job\`;`);
    this.addSql(`alter table \`bulk_job__temp_alter\` rename to \`bulk_job\`;`);
    this.addSql(`create index \`bulk_job_comune_index\` on \`bulk_job\` (\`comune\`);`);
    this.addSql(`create index \`bulk_job_status_index\` on \`bulk_job\` (\`status\`);`);
    this.addSql(`create unique index \`bulk_job_idempotency_key_unique\` on \`bulk_job\` (\`comune\`, \`idempotency_key\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`bulk_job__temp_alter\` (\`comune\` text not null, \`created_at\` datetime not null, \`created_by\` text not null, \`description\` text not null, \`due_dates\` json not null, \`error\` text null, \`finished_at\` datetime null, \`id\` text not null primary key, \`items\` json not null, \`kind\` text check (\`kind\` in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other')) not null, \`processed\` integer not null, \`started_at\` datetime null, \`status\` text check (\`status\` in ('queued', 'running', 'completed', 'failed')) not null, \`total\` integer not null, \`year\` integer not null);`);
    this.addSql(`insert into \`bulk_job__temp_alter\` select \`comune\`, \`created_at\`, \`created_by\`, \`description\`, \`due_dates\`, \`error\`, \`finished_at\`, \`id\`, \`items\`, \`kind\`, \`processed\`, \`started_at\`, \`status\`, \`total\`, \`year\` from \`bulk_job\`;`);
    this.addSql(`drop table \`bulk_job\`;`);
    this.addSql(`alter table \`bulk_job__temp_alter\` rename to \`bulk_job\`;`);
    this.addSql(`create index \`bulk_job_comune_index\` on \`bulk_job\` (\`comune\`);`);
    this.addSql(`create index \`bulk_job_status_index\` on \`bulk_job\` (\`status\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
