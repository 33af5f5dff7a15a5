import { Migration } from '@sportello/platform';

export class Migration20261207050202_practice_fees extends Migration {

  override name = 'Migration20261207050202_practice_fees';

  override up(): void | Promise<void> {
    this.addSql(`create table "practice_fee" ("id" uuid not null, "comune" varchar(6) not null, "practice_id" uuid not null, "amount_cents" int not null, "status" text not null, "external_ref" varchar(100) null, "request_count" int not null, "requested_at" timestamptz null, "position_id" varchar(200) null, "notice_number" varchar(18) null, "due_date" varchar(10) null, "paid_at" timestamptz null, "exemption_reason" text null, "exempted_by" varchar(200) null, "exempted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "practice_fee_comune_index" on "practice_fee" ("comune");`);
    this.addSql(`alter table "practice_fee" add constraint "practice_fee_practice_id_unique" unique ("practice_id");`);

    this.addSql(`alter table "practice_type" add "fee_requested_on" text not null default 'submit';`);
    this.addSql(`alter table "practice_type" add constraint "practice_type_fee_requested_on_check" check ("fee_requested_on" in ('submit', 'request'));`);
    // Types whose fee the citizen asks for before submitting (see the catalogue).
    this.addSql(`update "practice_type" set "fee_requested_on" = 'request' where "code" in ('civil-marriage-request', 'building-permit');`);

    this.addSql(`alter table "practice_fee" add constraint "practice_fee_status_check" check ("status" in ('requested', 'to-pay', 'paid', 'cancelled', 'exempt'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "practice_fee" cascade;`);

    this.addSql(`alter table "practice_type" drop constraint "practice_type_fee_requested_on_check";`);
    this.addSql(`alter table "practice_type" drop column "fee_requested_on";`);
  }

}
