import { LANES, laneRank, type Lane } from '@sportello/schema';
import { laneOfPriority, type DeliveryRow } from '../delivery/delivery-store.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import type { OutgoingMessage } from './channel.js';

/**
 * Lanes at the wire: whatever a channel queues (connections, its share of the provider's rate), a
 * message of a higher lane takes it before one of a lower lane, so an alert never waits behind a
 * billing run's mail already handed to the channel.
 */

/** The lane of a delivery, from its priority. */
export function laneOfRow(row: Pick<DeliveryRow, 'priority'>): Lane {
  return LANES[laneOfPriority(row.priority)]!;
}

/** Gives every rendered message the lane of its delivery, for the channel that sends it. */
export function withLane<Row extends Pick<DeliveryRow, 'priority'>>(
  render: (row: Row) => Promise<OutgoingMessage>,
): (row: Row) => Promise<OutgoingMessage> {
  return async (row) => ({ ...(await render(row)), lane: laneOfRow(row) });
}

/** A slot taken from {@link LaneSlots}. */
export interface LaneSlot {
  /** Taken from the slots kept for the critical lane. */
  readonly reserved: boolean;
  /** Gives the slot to the most urgent waiter. Only the first call counts. */
  release(): void;
}

/**
 * A bounded number of slots (an SMTP pool's connections, room in a pacer's queue) handed out most
 * urgent lane first, in call order within a lane. A few more slots are kept for the critical lane
 * alone, so an alert finds one free however much other work is in hand.
 */
export interface LaneSlots {
  /**
   * Resolves with a slot once one is free for `lane` (a message without one counts as
   * `interactive`): a critical message takes a reserved slot, else a shared one; other lanes take
   * a shared one when nobody more urgent (or earlier in their lane) waits.
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  acquire(lane: Lane | undefined, signal?: AbortSignal): Promise<LaneSlot>;
  /** Callers waiting for a slot now. */
  readonly waiting: number;
}

interface Waiter {
  grant(reserved: boolean): void;
}

/**
 * Creates {@link LaneSlots}: `shared` slots for every lane and `reserved` more for the critical lane.
 * @throws Error when `shared` is not a positive integer or `reserved` a non-negative one.
 */
export function createLaneSlots(options: { shared: number; reserved?: number }): LaneSlots {
  const reservedTotal = options.reserved ?? 0;
  if (!Number.isInteger(options.shared) || options.shared < 1) {
    throw new Error(`shared slots must be a positive integer, got ${options.shared}`);
  }
  if (!Number.isInteger(reservedTotal) || reservedTotal < 0) {
    throw new Error(`reserved slots must be a non-negative integer, got ${reservedTotal}`);
  }
  let freeShared = options.shared;
  let freeReserved = reservedTotal;
  /** Waiters by lane rank, oldest first. */
  const queues: Waiter[][] = LANES.map(() => []);
  let waiting = 0;

  function slot(reserved: boolean): LaneSlot {
    let released = false;
    return {
      reserved,
      release() {
        if (released) return;
        released = true;
        handOver(reserved);
      },
    };
  }

  /** A slot came free: to the oldest critical waiter, else (a shared one) to the most urgent. */
  function handOver(reserved: boolean): void {
    const next = reserved ? queues[0]!.shift() : queues.find((queue) => queue.length > 0)?.shift();
    if (next) {
      waiting -= 1;
      next.grant(reserved);
    } else if (reserved) freeReserved += 1;
    else freeShared += 1;
  }

  return {
    acquire(lane, signal) {
      signal?.throwIfAborted();
      const rank = laneRank(lane ?? 'interactive');
      if (rank === 0 && freeReserved > 0) {
        freeReserved -= 1;
        return Promise.resolve(slot(true));
      }
      const aheadOfUs = queues.slice(0, rank + 1).some((queue) => queue.length > 0);
      if (freeShared > 0 && !aheadOfUs) {
        freeShared -= 1;
        return Promise.resolve(slot(false));
      }
      return new Promise<LaneSlot>((resolve, reject) => {
        const queue = queues[rank]!;
        const onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at < 0) return;
          queue.splice(at, 1);
          waiting -= 1;
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          grant(reserved) {
            signal?.removeEventListener('abort', onAbort);
            resolve(slot(reserved));
          },
        };
        queue.push(waiter);
        waiting += 1;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get waiting() {
      return waiting;
    },
  };
}

/**
 * The pacing key of a delivery with its lane, for a limiter made by {@link createLaneLimiter}:
 * `critical`, or `critical:001272` with the key of the limiter inside (IO: the comune).
 */
export function laneKey(lane: Lane, key?: string): string {
  return key === undefined ? lane : `${lane}:${key}`;
}

/** The lane and the inner key of a {@link laneKey}; anything else is an `interactive` inner key. */
export function parseLaneKey(value: string | undefined): { lane: Lane; key: string | undefined } {
  if (value === undefined) return { lane: 'interactive', key: undefined };
  const at = value.indexOf(':');
  const lane = at < 0 ? value : value.slice(0, at);
  if (!(LANES as readonly string[]).includes(lane)) return { lane: 'interactive', key: value };
  return { lane: lane as Lane, key: at < 0 ? undefined : value.slice(at + 1) };
}

/**
 * A limiter that spends `inner`'s budget on the most urgent lane first. Acquired with a
 * {@link laneKey}: per inner key, one caller at a time waits in `inner` (which reserves its slot
 * when called), and the next one is chosen when it passes, critical before interactive before bulk.
 * A reminder run's callers queued first therefore never push an alert's slot back: the alert waits
 * at most for the one slot being counted. `holdOff` holds the inner key back for every lane.
 */
export function createLaneLimiter(inner: RateLimiter): RateLimiter {
  /** Per inner key, the turn to wait in `inner` and how many callers use it. */
  const turns = new Map<string | undefined, { slots: LaneSlots; users: number }>();

  return {
    async acquire(key, signal) {
      const { lane, key: innerKey } = parseLaneKey(key);
      let turn = turns.get(innerKey);
      if (!turn) {
        turn = { slots: createLaneSlots({ shared: 1 }), users: 0 };
        turns.set(innerKey, turn);
      }
      turn.users += 1;
      try {
        const slot = await turn.slots.acquire(lane, signal);
        try {
          await inner.acquire(innerKey, signal);
        } finally {
          slot.release();
        }
      } finally {
        turn.users -= 1;
        if (turn.users === 0) turns.delete(innerKey);
      }
    },
    holdOff(ms, key) {
      inner.holdOff(ms, parseLaneKey(key).key);
    },
    get trackedKeys() {
      return inner.trackedKeys;
    },
  };
}
