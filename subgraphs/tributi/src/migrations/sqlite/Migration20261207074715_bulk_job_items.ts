import { Migration } from '@sportello/platform';

export class Migration20261207074715_bulk_job_items extends Migration {

  override name = 'Migration20261207074715_bulk_job_items';

  override up(): void | Promise<void> {
    this.addSql(`create table \`bulk_job_item\` (\`job_id\` text not null, \`seq\` integer not null, \`comune\` text not null, \`payer_fiscal_code\` text not null, \`amount_cents\` bigint not null, \`external_ref\` text null, \`description\` text null, primary key (\`job_id\`, \`seq\`));`);
    this.addSql(`create index \`bulk_job_item_comune_index\` on \`bulk_job_item\` (\`comune\`);`);
    // The items of the jobs still to be worked (or retried) move to their rows, in order.
    this.addSql(`insert into \`bulk_job_item\` (\`job_id\`, \`seq\`, \`comune\`, \`payer_fiscal_code\`, \`amount_cents\`, \`external_ref\`, \`description\`) select j.\`id\`, e.\`key\`, j.\`comune\`, json_extract(e.\`value\`, '$.payerFiscalCode'), json_extract(e.\`value\`, '$.amountCents'), json_extract(e.\`value\`, '$.externalRef'), json_extract(e.\`value\`, '$.description') from \`bulk_job\` j, json_each(j.\`items\`) e where j.\`status\` in ('queued', 'running', 'failed');`);

    this.addSql(`alter table \`bulk_job\` drop column \`items\`;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`bulk_job\` add column \`items\` json not null default '[]';`);
    this.addSql(`update \`bulk_job\` set \`items\` = coalesce((select json_group_array(json_object('payerFiscalCode', i.\`payer_fiscal_code\`, 'amountCents', i.\`amount_cents\`, 'externalRef', i.\`external_ref\`, 'description', i.\`description\`)) from (select * from \`bulk_job_item\` where \`job_id\` = \`bulk_job\`.\`id\` order by \`seq\`) i), '[]');`);
    this.addSql(`drop table if exists \`bulk_job_item\`;`);
  }

}
