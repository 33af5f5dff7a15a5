import { type Principal } from '@sportello/platform';
import { type EventEnvelope } from '@sportello/schema';

/** What a binding sees of one subscription. */
export interface SubscriptionRequest {
  /** Arguments of the subscription field, with variables applied. */
  args: Record<string, unknown>;
  /**
   * The subscriber, from the token given when the connection opened. An anonymous subscriber's
   * `comune` is the one it named (`x-comune` header or connection parameter `comune`), or `''`.
   */
  principal: Principal;
}

/** Which root query field loads the entity an event is about, and with which arguments. */
export interface EntityLookup {
  /** A field of `Query` in the API schema, e.g. `alert`. */
  field: string;
  /** Its arguments, e.g. `{ id: event.subject }`; their types come from the schema. */
  args: Record<string, unknown>;
  /**
   * The `x-comune` to send with the query when the subscriber has no token (public data of the
   * event's comune); a token names its own comune.
   */
  comune?: string;
}

/**
 * A subscription field whose type tells what happened (e.g. `PracticeUpdate`): its fields come from
 * the event, except `entityField`, the entity as it is now, resolved through `lookup`.
 */
export interface ChangeUpdate {
  /** The field of the change type that holds the entity (e.g. `practice`). */
  entityField: string;
  /** The other fields, from the event, as the API shows them (enum values by name). */
  values(event: EventEnvelope): Record<string, unknown>;
}

/**
 * Ties one `Subscription` field declared by a subgraph to the bus. Per event and per subscriber,
 * the gateway checks `authorize`, then loads the entity through a normal federated query with the
 * subscriber's token and the fields the subscriber selected, so every subgraph applies its own
 * rules again.
 */
export interface SubscriptionBinding {
  /**
   * Whether this subscriber may subscribe at all, checked once before listening: throws a
   * `GraphQLError` (`FORBIDDEN`, `UNAUTHENTICATED`, `BAD_USER_INPUT`) to refuse, which the client
   * receives as the subscription's error. Absent, everyone may subscribe and `authorize` filters.
   */
  admit?(request: SubscriptionRequest): void;
  /**
   * Bus subject patterns to listen to (NATS wildcards). Subscriptions with the same patterns share
   * one bus listener.
   */
  subjects(request: SubscriptionRequest): string[];
  /** Whether this subscriber may hear of this event, and whether it matches the field arguments. */
  authorize(event: EventEnvelope, request: SubscriptionRequest): boolean;
  /** The entity to resolve for this event; `null` skips the event. */
  lookup(event: EventEnvelope, request: SubscriptionRequest): EntityLookup | null;
  /** When the field's type is a change wrapping the entity: how to fill it. */
  change?: ChangeUpdate;
}

/** Subscription field name -> its binding. */
export type SubscriptionBindings = Readonly<Record<string, SubscriptionBinding>>;
