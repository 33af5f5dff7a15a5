import { handleOnce, type Consumer, type Database, type EventBus, type Logger } from '@sportello/platform';
import { busSubjectPattern, EventValidationError, parseEvent, type AnyEvent } from '@sportello/schema';
import type { Planner } from '../delivery/planner.js';
import type { ChatLinks } from '../telegram/chat-links.js';

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
}

/**
 * Consumes the bus durably: each event is planned (or applied) once, through the inbox; a handler
 * that throws (a directory down) makes the bus redeliver later. Events that fail validation are
 * logged and acknowledged: redelivering them would fail the same way.
 */
export async function startConsumer(setup: ConsumerSetup): Promise<Consumer> {
  const { bus, planner, logger } = setup;
  return bus.consume(
    {
      name: setup.name,
      subjects: PRODUCERS.map((producer) =>
        busSubjectPattern({ producer }).replace(/^sportello\./, `${setup.subjectRoot ?? 'sportello'}.`),
      ),
      // Planning a big audience takes a while; the bus must not hand the event to another replica meanwhile.
      ackWaitMs: 300_000,
    },
    async (envelope) => {
      let event: AnyEvent;
      try {
        event = parseEvent(envelope);
      } catch (error) {
        if (error instanceof EventValidationError) {
          logger.warn(
            { eventId: envelope.id, type: envelope.type, issues: error.issues },
            'event skipped: invalid',
          );
          return;
        }
        throw error;
      }
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
