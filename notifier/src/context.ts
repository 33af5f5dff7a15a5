import type { DatabaseRequestContext, EntityManager } from '@sportello/platform';
import type { DeliveryStore } from './delivery/delivery-store.js';

/** What the notifier's resolvers need besides the request. */
export interface NotifierServices {
  store: DeliveryStore;
  /** Wakes the dispatcher (after a replay). */
  nudge(): void;
  comuneName(comune: string): string;
}

/** What every notifier resolver receives: the platform's request context plus the delivery services. */
export interface NotifierContext extends DatabaseRequestContext<EntityManager> {
  services: NotifierServices;
}
