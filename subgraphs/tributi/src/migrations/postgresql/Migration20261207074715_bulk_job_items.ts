import { Migration } from '@sportello/platform';

export class Migration20261207074715_bulk_job_items extends Migration {

  override name = 'Migration20261207074715_bulk_job_items';

  override up(): void | Promise<void> {
    this.addSql(`create table "bulk_job_item" ("job_id" uuid not null, "seq" int not null, "comune" varchar(6) not null, "payer_fiscal_code" varchar(16) not null, "amount_cents" bigint not null, "external_ref" varchar(100) null, "description" varchar(90) null, primary key ("job_id", "seq"));`);
    this.addSql(`create index "bulk_job_item_comune_index" on "bulk_job_item" ("comune");`);
    // The items of the jobs still to be worked (or retried) move to their rows, in order.
    this.addSql(`insert into "bulk_job_item" ("job_id", "seq", "comune", "payer_fiscal_code", "amount_cents", "external_ref", "description") select j."id", e.ord - 1, j."comune", e.item->>'payerFiscalCode', (e.item->>'amountCents')::bigint, e.item->>'externalRef', e.item->>'description' from "bulk_job" j cross join lateral jsonb_array_elements(j."items") with ordinality as e(item, ord) where j."status" in ('queued', 'running', 'failed');`);

    this.addSql(`alter table "bulk_job" drop column "items";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "bulk_job" add "items" jsonb not null default '[]';`);
    this.addSql(`update "bulk_job" j set "items" = coalesce((select jsonb_agg(jsonb_build_object('payerFiscalCode', i."payer_fiscal_code", 'amountCents', i."amount_cents", 'externalRef', i."external_ref", 'description', i."description") order by i."seq") from "bulk_job_item" i where i."job_id" = j."id"), '[]');`);
    this.addSql(`alter table "bulk_job" alter column "items" drop default;`);
    this.addSql(`drop table if exists "bulk_job_item" cascade;`);
  }

}
