import { Migration } from '@sportello/platform';

export class Migration20261207074745_certificate_request_payment_failed extends Migration {

  override name = 'Migration20261207074745_certificate_request_payment_failed';

  override up(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`certificate_request__temp_alter\` (\`id\` text not null primary key, \`comune\` text not null, \`requester_fiscal_code\` text not null, \`holder_fiscal_code\` text not null, \`holder_name\` text not null, \`kinds\` json not null, \`use\` text not null, \`status\` text check (\`status\` in ('awaiting-payment', 'issued', 'cancelled', 'payment-failed')) not null, \`stamp_duty_cents\` integer null, \`notice_number\` text null, \`payment_due_date\` text null, \`paid_at\` datetime null, \`failure_reason\` text null, \`requested_at\` datetime not null, \`certificate_id\` text null, \`content\` json not null);`);
    this.addSql(`insert into \`certificate_request__temp_alter\` select \`id\`, \`comune\`, \`requester_fiscal_code\`, \`holder_fiscal_code\`, \`holder_name\`, \`kinds\`, \`use\`, \`status\`, \`stamp_duty_cents\`, \`notice_number\`, \`payment_due_date\`, \`paid_at\`, null as \`failure_reason\`, \`requested_at\`, \`certificate_id\`, \`content\` from \`certificate_request\`;`);
    this.addSql(`drop table \`certificate_request\`;`);
    this.addSql(`alter table \`certificate_request__temp_alter\` rename to \`certificate_request\`;`);
    this.addSql(`create index \`certificate_request_comune_index\` on \`certificate_request\` (\`comune\`);`);
    this.addSql(`create index \`certificate_request_comune_requester_fiscal_code_index\` on \`certificate_request\` (\`comune\`, \`requester_fiscal_code\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`certificate_request__temp_alter\` (\`certificate_id\` text null, \`comune\` text not null, \`content\` json not null, \`holder_fiscal_code\` text not null, \`holder_name\` text not null, \`id\` text not null primary key, \`kinds\` json not null, \`notice_number\` text null, \`paid_at\` datetime null, \`payment_due_date\` text null, \`requested_at\` datetime not null, \`requester_fiscal_code\` text not null, \`stamp_duty_cents\` integer null, \`status\` text check (\`status\` in ('awaiting-payment', 'issued', 'cancelled')) not null, \`use\` text not null);`);
    this.addSql(`insert into \`certificate_request__temp_alter\` select \`certificate_id\`, \`comune\`, \`content\`, \`holder_fiscal_code\`, \`holder_name\`, \`id\`, \`kinds\`, \`notice_number\`, \`paid_at\`, \`payment_due_date\`, \`requested_at\`, \`requester_fiscal_code\`, \`stamp_duty_cents\`, \`status\`, \`use\` from \`certificate_request\`;`);
    this.addSql(`drop table \`certificate_request\`;`);
    this.addSql(`alter table \`certificate_request__temp_alter\` rename to \`certificate_request\`;`);
    this.addSql(`create index \`certificate_request_comune_index\` on \`certificate_request\` (\`comune\`);`);
    this.addSql(`create index \`certificate_request_comune_requester_fiscal_code_index\` on \`certificate_request\` (\`comune\`, \`requester_fiscal_code\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
