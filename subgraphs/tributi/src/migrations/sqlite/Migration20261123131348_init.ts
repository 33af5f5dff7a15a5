import { Migration } from '@sportello/platform';

export class Migration20261123131348_init extends Migration {
  override name = 'Migration20261123131348_init';

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`bulk_job\` (\`id\` text not null primary key, \`comune\` text not null, \`status\` text check (\`status\` in ('queued', 'running', 'completed', 'failed')) not null, \`kind\` text check (\`kind\` in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other')) not null, \`year\` integer not null, \`description\` text not null, \`due_dates\` json not null, \`items\` json not null, \`total\` integer not null, \`processed\` integer not null, \`created_by\` text not null, \`created_at\` datetime not null, \`started_at\` datetime null, \`finished_at\` datetime null, \`error\` text null);`,
    );
    this.addSql(`create index \`bulk_job_comune_index\` on \`bulk_job\` (\`comune\`);`);
    this.addSql(`create index \`bulk_job_status_index\` on \`bulk_job\` (\`status\`);`);

    this.addSql(
      `create table \`creditor\` (\`id\` text not null primary key, \`comune\` text not null, \`fiscal_code\` text not null, \`name\` text not null, \`segregation_code\` text not null, \`next_iuv_base\` bigint not null);`,
    );
    this.addSql(`create index \`creditor_comune_index\` on \`creditor\` (\`comune\`);`);
    this.addSql(`create unique index \`creditor_comune_unique\` on \`creditor\` (\`comune\`);`);

    this.addSql(
      `create table \`inbox_entry\` (\`consumer\` text not null, \`event_id\` text not null, \`processed_at\` datetime not null, primary key (\`consumer\`, \`event_id\`));`,
    );

    this.addSql(
      `create table \`instalment\` (\`id\` text not null primary key, \`comune\` text not null, \`position_id\` text not null, \`number\` integer null, \`amount_cents\` bigint not null, \`due_date\` text not null, \`notice_number\` text not null, \`status\` text check (\`status\` in ('unpaid', 'paid', 'cancelled')) not null, \`paid_at\` datetime null, \`paid_amount_cents\` bigint null, \`receipt_id\` text null, \`receipt_from\` text null);`,
    );
    this.addSql(`create index \`instalment_comune_index\` on \`instalment\` (\`comune\`);`);
    this.addSql(`create index \`instalment_position_id_index\` on \`instalment\` (\`position_id\`);`);
    this.addSql(`create index \`instalment_due_idx\` on \`instalment\` (\`status\`, \`due_date\`);`);
    this.addSql(`create unique index \`instalment_notice_unique\` on \`instalment\` (\`notice_number\`);`);

    this.addSql(
      `create table \`outbox_message\` (\`id\` text not null primary key, \`type\` text not null, \`bus_subject\` text not null, \`subject\` text not null, \`payload\` json not null, \`comune\` text not null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, \`last_error\` text null);`,
    );
    this.addSql(`create index \`outbox_message_comune_index\` on \`outbox_message\` (\`comune\`);`);
    this.addSql(
      `create index \`outbox_message_pending_idx\` on \`outbox_message\` (\`published_at\`, \`created_at\`);`,
    );

    this.addSql(
      `create table \`payment_position\` (\`id\` text not null primary key, \`comune\` text not null, \`kind\` text check (\`kind\` in ('IMU', 'TARI', 'TEFA', 'fine', 'secretary-fee', 'school-canteen', 'other')) not null, \`year\` integer not null, \`description\` text not null, \`payer_fiscal_code\` text not null, \`creditor_fiscal_code\` text not null, \`amount_cents\` bigint not null, \`status\` text check (\`status\` in ('to-pay', 'paid', 'expired', 'cancelled')) not null, \`external_ref\` text null, \`bulk_job_id\` text null, \`fine_plate\` text null, \`fine_place\` text null, \`fine_article\` text null, \`fine_violated_at\` datetime null, \`fine_notified_on\` text null, \`fine_reduced_amount_cents\` bigint null, \`created_by\` text not null, \`created_at\` datetime not null, \`paid_at\` datetime null, \`cancelled_at\` datetime null, \`cancelled_by\` text null, \`cancellation_reason\` text null);`,
    );
    this.addSql(`create index \`payment_position_comune_index\` on \`payment_position\` (\`comune\`);`);
    this.addSql(
      `create index \`payment_position_bulk_job_id_index\` on \`payment_position\` (\`bulk_job_id\`);`,
    );
    this.addSql(
      `create index \`payment_position_payer_idx\` on \`payment_position\` (\`comune\`, \`payer_fiscal_code\`);`,
    );
    this.addSql(
      `create index \`payment_position_kind_idx\` on \`payment_position\` (\`comune\`, \`kind\`, \`year\`, \`status\`);`,
    );
    this.addSql(
      `create unique index \`payment_position_external_ref_unique\` on \`payment_position\` (\`comune\`, \`external_ref\`);`,
    );

    this.addSql(
      `create table \`payment_reminder\` (\`id\` text not null primary key, \`comune\` text not null, \`instalment_id\` text not null, \`kind\` text check (\`kind\` in ('due-soon', 'overdue')) not null, \`offset_days\` integer not null, \`event_id\` text not null, \`sent_at\` datetime not null);`,
    );
    this.addSql(`create index \`payment_reminder_comune_index\` on \`payment_reminder\` (\`comune\`);`);
    this.addSql(
      `create unique index \`payment_reminder_once\` on \`payment_reminder\` (\`instalment_id\`, \`kind\`, \`offset_days\`);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`bulk_job\`;`);
    this.addSql(`drop table if exists \`creditor\`;`);
    this.addSql(`drop table if exists \`inbox_entry\`;`);
    this.addSql(`drop table if exists \`instalment\`;`);
    this.addSql(`drop table if exists \`outbox_message\`;`);
    this.addSql(`drop table if exists \`payment_position\`;`);
    this.addSql(`drop table if exists \`payment_reminder\`;`);
  }
}
