import { randomBytes } from 'node:crypto';
import { createEvent } from '@sportello/schema';
import { createInProcessBus, createNatsBus, type EventBus } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuditedService, type AuditedService } from '../test-support/audited-service.js';
import {
  CHIARA,
  COMUNE,
  MARIO,
  startIdentity,
  testConfig,
  type TestIdentity,
} from '../test-support/harness.js';

const NATS = 'nats://127.0.0.1:4222';

const AUDIT_LOG = `query ($filter: AuditLogFilter) {
  auditLog(filter: $filter) { totalCount items: nodes { actorUsername actorOffices subject fields service action operation } }
}`;

interface AuditPage {
  totalCount: number;
  items: Record<string, unknown>[];
}

/**
 * The shared NATS server holds other runs' streams: this run's stream gets its own subject root,
 * and consumer patterns (written for the default root) are moved under it.
 */
function underRoot(bus: EventBus, root: string): EventBus {
  const move = (pattern: string) => `${root}${pattern.slice('sportello'.length)}`;
  return {
    publish: (event) => bus.publish(event),
    consume: (options, handler) => bus.consume({ ...options, subjects: options.subjects.map(move) }, handler),
    listen: (subjects, handler) => bus.listen([subjects].flat().map(move), handler),
    broadcast: (topic, data) => bus.broadcast(topic, data),
    onBroadcast: (topic, handler) => bus.onBroadcast(topic, handler),
    close: () => bus.close(),
  };
}

const BUSES: [string, () => Promise<EventBus>][] = [
  // One remembered id: publishing anything else makes the bus forget an event, so it can come back.
  ['in-process', async () => createInProcessBus({ dedupe: { maxIds: 1 } })],
  [
    'NATS',
    async () => {
      const suffix = randomBytes(4).toString('hex');
      const root = `identityaudit${suffix}`;
      const nats = await createNatsBus({
        servers: NATS,
        stream: `IDENTITY_AUDIT_${suffix}`,
        subjectRoot: root,
        duplicateWindowMs: 500,
      });
      return underRoot(nats, root);
    },
  ],
];

describe.each(BUSES)('audit log fed by other services over the %s bus', (_name, openBus) => {
  let bus: EventBus;
  let service: TestIdentity;
  let registry: AuditedService;
  let admin: string;
  let clerk: string;

  beforeAll(async () => {
    bus = await openBus();
    service = await startIdentity({}, 'sqlite', bus);
    const config = testConfig();
    registry = await startAuditedService({
      bus,
      identityUrl: service.url,
      issuer: config.tokenIssuer,
      audience: config.tokenAudience,
      defaultComune: COMUNE,
    });
    admin = await service.devToken({ subject: 'admin.neri' });
    clerk = await service.devToken({ subject: 'anagrafe.bianchi' });
  }, 30_000);

  afterAll(async () => {
    await registry?.close();
    await service?.close();
    await bus?.close();
  });

  async function auditLog(filter: Record<string, unknown>): Promise<AuditPage> {
    const answer = await service.graphql(AUDIT_LOG, { token: admin, variables: { filter } });
    expect(answer.errors).toBeUndefined();
    return answer.data?.auditLog as AuditPage;
  }

  /** The audit log once it holds at least `count` entries matching `filter`. */
  async function eventually(filter: Record<string, unknown>, count: number): Promise<AuditPage> {
    await expect
      .poll(async () => (await auditLog(filter)).totalCount, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(count);
    return auditLog(filter);
  }

  it('shows a staff read made in another service, once, even when the bus delivers it again', async () => {
    const read = await registry.readResidence(MARIO, clerk);
    expect(read.residence).toBe('Via Roma 1');
    // Stored by the service before it answered, then published by its relay.
    const [stored] = await registry.auditEvents();
    expect(stored?.data).toMatchObject({ requestId: read.requestId, subjectFiscalCode: MARIO });
    expect(await registry.publish()).toBe(1);

    const page = await eventually({ service: 'registry' }, 1);
    expect(page).toEqual({
      totalCount: 1,
      items: [
        {
          actorUsername: 'anagrafe.bianchi',
          actorOffices: ['ANAGRAFE'],
          subject: MARIO,
          fields: ['Citizen.residence'],
          service: 'registry',
          action: 'read',
          operation: null,
        },
      ],
    });

    // The bus forgets the event id (another event pushes it out of the de-duplication window, or
    // the window passes), so publishing it again delivers it again: it is published until the bus
    // takes it as new, which a listener (it hears only what the bus accepted) tells.
    let repeated = false;
    const watch = await bus.listen('sportello.>', (event) => {
      if (event.id === stored!.id) repeated = true;
    });
    await bus.publish(
      createEvent('citizen.registered', {
        comune: COMUNE,
        subject: CHIARA,
        actor: null,
        data: { citizenId: 'ctz_other', fiscalCode: CHIARA },
      }),
    );
    await expect
      .poll(
        async () => {
          if (!repeated) await bus.publish(stored!);
          return repeated;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
    await watch.stop();
    // A later read is handled after the repeat (one consumer, publish order): once it shows, the
    // repeat has been handled too.
    await registry.readResidence(CHIARA, clerk);
    await registry.publish();
    expect((await eventually({ service: 'registry' }, 2)).totalCount).toBe(2);
    expect((await auditLog({ service: 'registry', subject: MARIO })).totalCount).toBe(1);
  }, 30_000);

  it('keeps identity’s own reads in the same log, told apart by service', async () => {
    const own = await service.graphql(`query ($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName } }`, {
      token: clerk,
      variables: { fc: MARIO },
    });
    expect(own.errors).toBeUndefined();
    const page = await auditLog({ subject: MARIO });
    expect(page.items.map((item) => item['service']).sort()).toEqual(['identity', 'registry']);
    expect(page.items.find((item) => item['service'] === 'identity')).toMatchObject({
      fields: ['profile'],
      action: 'read',
    });
  });
});
