import {
  handleOnce,
  type Consumer,
  type ConsumerObserver,
  type Database,
  type EventBus,
  type Logger,
  parseConsumedEvent,
} from '@sportello/platform';
import { busSubjectPattern } from '@sportello/schema';
import type { Planner } from '../delivery/planner.js';
import type { ChatLinks } from '../channels/telegram/chat-links.js';

/** Producers whose events can concern a citizen. */
const PRODUCERS = ['civil-protection', 'practices', 'tributi', 'anagrafe', 'identity'] as const;

/** Options of {@link startConsumer}. */
export interface ConsumerSetup {
  bus: EventBus;
  database: Database;
  planner: Planner;
  chatLinks: ChatLinks;
  /** Durable consumer and inbox name. */
  name: string;
  /** First token of bus subjects, when the deployment isolates itself with another one. @default 'sportello' */
  subjectRoot?: string;
  logger: Logger;
  /**
   * The bus's ack wait: held events are renewed while they are planned, so this is how soon the
   * events of a notifier that died go to another (or to itself restarted). @default 10_000
   */
  ackWaitMs?: number;
  /** Critical and interactive events planned at once, per lane (never two of one subject). @default 4 */
  concurrency?: number;
  /** Bulk events planned at once. @default 2 */
  bulkConcurrency?: number;
  observer?: ConsumerObserver;
}

/**
 * Consumes the bus durably, each lane apart (an alert is planned while a billing run's reminders
 * queue behind): each event is planned (or applied) once, through the inbox; a handler that throws
 * (a directory down) makes the bus redeliver later. Events that fail validation are logged and
 * acknowledged: redelivering them would fail the same way.
 */
export async function startConsumer(setup: ConsumerSetup): Promise<Consumer> {
  const { bus, planner, logger } = setup;
  return bus.consume(
    {
      name: setup.name,
      subjects: PRODUCERS.map((producer) =>
        busSubjectPattern({ producer }).replace(/^sportello\./, `${setup.subjectRoot ?? 'sportello'}.`),
      ),
      // Planning a big audience takes a while: the bus renews the event while it runs, so the short
      // ack wait only decides how soon a dead notifier's events are planned again.
      ackWaitMs: setup.ackWaitMs ?? 10_000,
      lanes: true,
      concurrency: {
        critical: setup.concurrency ?? 4,
        interactive: setup.concurrency ?? 4,
        bulk: setup.bulkConcurrency ?? 2,
      },
      ...(setup.observer ? { observer: setup.observer } : {}),
    },
    async (envelope) => {
      const event = parseConsumedEvent(envelope, logger, setup.name);
      if (event === undefined) return;
      if (event.type === 'citizen.telegram-unlinked') {
        const data = event.data;
        // In the inbox's transaction: at most once, and on SQLite (one connection) a second
        // EntityManager would wait for the transaction's connection for ever.
        await handleOnce(setup.database.fork({ comune: event.comune }), setup.name, event, async (tx) => {
          await setup.chatLinks.forgetCitizen(event.comune, data.fiscalCode, tx);
        });
        return;
      }
      await planner.planEvent(event);
    },
  );
}
