import { Migration } from '@sportello/platform';

export class Migration20261207054445_certificate_requests extends Migration {
  override name = 'Migration20261207054445_certificate_requests';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "certificate_request" ("id" uuid not null, "comune" varchar(6) not null, "requester_fiscal_code" varchar(16) not null, "holder_fiscal_code" varchar(16) not null, "holder_name" varchar(210) not null, "kinds" jsonb not null, "use" varchar(200) not null, "status" text not null, "stamp_duty_cents" int null, "notice_number" varchar(18) null, "payment_due_date" varchar(10) null, "paid_at" timestamptz null, "requested_at" timestamptz not null, "certificate_id" uuid null, "content" jsonb not null, primary key ("id"));`,
    );
    this.addSql(`create index "certificate_request_comune_index" on "certificate_request" ("comune");`);
    this.addSql(
      `create index "certificate_request_comune_requester_fiscal_code_index" on "certificate_request" ("comune", "requester_fiscal_code");`,
    );

    this.addSql(
      `alter table "certificate_request" add constraint "certificate_request_status_check" check ("status" in ('awaiting-payment', 'issued'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "certificate_request" cascade;`);
  }
}
