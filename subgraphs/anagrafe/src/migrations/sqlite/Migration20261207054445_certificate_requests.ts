import { Migration } from '@sportello/platform';

export class Migration20261207054445_certificate_requests extends Migration {
  override name = 'Migration20261207054445_certificate_requests';

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`certificate_request\` (\`id\` text not null primary key, \`comune\` text not null, \`requester_fiscal_code\` text not null, \`holder_fiscal_code\` text not null, \`holder_name\` text not null, \`kinds\` json not null, \`use\` text not null, \`status\` text check (\`status\` in ('awaiting-payment', 'issued')) not null, \`stamp_duty_cents\` integer null, \`notice_number\` text null, \`payment_due_date\` text null, \`paid_at\` datetime null, \`requested_at\` datetime not null, \`certificate_id\` text null, \`content\` json not null);`,
    );
    this.addSql(`create index \`certificate_request_comune_index\` on \`certificate_request\` (\`comune\`);`);
    this.addSql(
      `create index \`certificate_request_comune_requester_fiscal_code_index\` on \`certificate_request\` (\`comune\`, \`requester_fiscal_code\`);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`certificate_request\`;`);
  }
}
