import { Migration } from '@sportello/platform';

export class Migration20261123132953_audit_from_every_service extends Migration {

  override name = 'Migration20261123132953_audit_from_every_service';

  override up(): void | Promise<void> {
    this.addSql(`alter table \`audit_entry\` add column \`service\` text not null default 'identity';`);
    this.addSql(`alter table \`audit_entry\` add column \`action\` text not null default 'read';`);
    this.addSql(`alter table \`audit_entry\` add column \`request_id\` text null;`);
    this.addSql(`create index \`audit_entry_service_index\` on \`audit_entry\` (\`service\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index \`audit_entry_service_index\`;`);
    this.addSql(`alter table \`audit_entry\` drop column \`service\`;`);
    this.addSql(`alter table \`audit_entry\` drop column \`action\`;`);
    this.addSql(`alter table \`audit_entry\` drop column \`request_id\`;`);
  }

}
