import { Migration } from '@sportello/platform';

export class Migration20261123132953_audit_from_every_service extends Migration {

  override name = 'Migration20261123132953_audit_from_every_service';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_entry" add "service" varchar(255) not null default 'identity', add "action" varchar(255) not null default 'read', add "request_id" varchar(255) null;`);
    this.addSql(`create index "audit_entry_service_index" on "audit_entry" ("service");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "audit_entry_service_index";`);
    this.addSql(`alter table "audit_entry" drop column "service", drop column "action", drop column "request_id";`);
  }

}
