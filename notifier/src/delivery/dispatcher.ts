import { randomBytes } from 'node:crypto';
import { channel as diagnosticsChannel } from 'node:diagnostics_channel';
import { hostname } from 'node:os';
import { KeyedScheduler, type ForegroundGate, type Logger } from '@sportello/platform';
import type { Channel, ChannelName, OutgoingMessage, SendHooks, SendResult } from '../channels/channel.js';
import type { ChannelPost } from '../channels/telegram/telegram-channel.js';
import { backoffDelay, type BackoffPolicy } from '../pacing/backoff.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import type { WirePacer } from '../pacing/wire-pacer.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import {
  LANE_PRIORITY,
  laneOfPriority,
  type DeliveryRow,
  type DeliveryStore,
  type StartedAttempt,
} from './delivery-store.js';

/**
 * Node diagnostics channel on which the dispatcher announces each delivery the provider accepted
 * (`{ eventId, eventType, channel, deliveryId }`), right after it is recorded. Costs nothing while
 * nobody subscribes; tools (the lanes benchmark) subscribe to time an event's first delivery.
 */
export const NOTIFIER_DELIVERED_CHANNEL = 'sportello:notifier:delivered';
const deliveredChannel = diagnosticsChannel(NOTIFIER_DELIVERED_CHANNEL);

/**
 * Node diagnostics channel on which the notifier announces the steps of an event's way to its
 * first message ({@link NotifierTrace}), so a tool can tell where an urgent event waited. Costs
 * nothing while nobody subscribes.
 */
export const NOTIFIER_TRACE_CHANNEL = 'sportello:notifier:trace';
const traceChannel = diagnosticsChannel(NOTIFIER_TRACE_CHANNEL);

/**
 * One step of an event in the notifier: `planning` (the consumer handed it to the planner),
 * `audience` (a page of its recipients was read), `contacts` (their contact points were read),
 * `planned` (a page of its deliveries was recorded), `claimed` (a dispatcher pass leased some of
 * them), `sending` (one of them is about to go to its provider).
 */
export interface NotifierTrace {
  stage: 'planning' | 'audience' | 'contacts' | 'planned' | 'claimed' | 'sending';
  eventId: string;
  channel?: ChannelName;
}

/** Publishes a step on {@link NOTIFIER_TRACE_CHANNEL}, when someone listens. */
export function traceNotifier(trace: NotifierTrace): void {
  if (traceChannel.hasSubscribers) traceChannel.publish(trace);
}

/** How one provider call ended, for metrics. */
export type AttemptOutcomeReport = 'sent' | 'retryable' | 'permanent' | 'uncertain';

/** A channel as the dispatcher drives it. */
export interface DispatchChannel {
  channel: Channel & { sendToChannel?(post: ChannelPost, hooks?: SendHooks): Promise<SendResult> };
  /**
   * Paces calls before a delivery is marked `sending` (reserving a slot each), so the window in
   * which a crash leaves a delivery uncertain is the provider call alone, not the wait in a queue.
   * Channels paced this way should not pace on their own.
   */
  limiter?: RateLimiter;
  /**
   * A channel paced at the wire (Telegram: the channel takes the slot as the request leaves, alerts
   * first). One that {@link Channel.callsLeaving} has the delivery marked `sending` as its request
   * leaves; for another, the dispatcher waits until a request of the delivery's key could leave
   * before marking it `sending`, except for an alert's, which the channel lets through ahead of the
   * others waiting (waiting here, it would compete with them for every free moment of the rate).
   */
  pacer?: WirePacer;
  /** The pacing key of a delivery (Telegram: the chat; IO: the comune; email: none). */
  keyOf(row: DeliveryRow): string | undefined;
  /** In flight at once. @default 8 */
  concurrency?: number;
  /**
   * Deliveries of one key go one at a time, in claim order, and those after a failed one wait for
   * its retry (Telegram: a chat reads its messages in the order they were planned). @default false
   */
  inOrder?: boolean;
  /**
   * What an `uncertain` outcome (the answer lost after the request was sent) becomes: `resend`
   * where the provider recognises a repeat (email: the same Message-ID), `hold` (the delivery
   * becomes `uncertain`, for staff) where a repeat would reach the person twice.
   * @default 'resend' for channels in `resendable`, else 'hold'
   */
  onUncertain?: 'resend' | 'hold';
}

/** Settings of the {@link Dispatcher}. */
export interface DispatcherOptions {
  store: DeliveryStore;
  channels: ReadonlyMap<ChannelName, DispatchChannel>;
  /** Builds the message of a delivery (rendering in the recipient's language). */
  render(row: DeliveryRow): Promise<OutgoingMessage>;
  logger: Logger;
  /** Deliveries leased per claim. @default 100 */
  batchSize?: number;
  /**
   * How long a claim or a send holds a delivery without a word from its dispatcher: the dispatcher
   * renews its leases every third of it while it works, so it only runs out when the process died,
   * and another dispatcher recovers the delivery soon after. @default 10000
   */
  leaseMs?: number;
  /** Attempts before a delivery is dead. @default 8 */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  circuit?: CircuitOptions;
  /** Pause after a failed pass (a database hiccup) before the channel claims again. @default 1000 */
  pollIntervalMs?: number;
  /**
   * The safety poll: how often the dispatcher looks for work it was not told of, when nothing wakes
   * it sooner. The dispatcher claims only when there may be something to claim: deliveries planned
   * in this process (a {@link Dispatcher.nudge}), a retry or a handed-back delivery coming due (a
   * timer to its time), a lease of a dead dispatcher running out (a timer to its end). What it cannot
   * hear of is the work of another replica on a shared PostgreSQL database (deliveries it planned, a
   * retry it recorded before dying): every `safetyPollMs` one look at the upcoming work (expired
   * leases recovered, the earliest due time and lease end per channel) finds it, and the channels
   * with work due claim. An idle dispatcher therefore claims nothing. @default 20000
   */
  safetyPollMs?: number;
  /** Least time between two lease recoveries (a burst of lease ends takes one). @default 2000 */
  recoverIntervalMs?: number;
  /** Channels on which an interrupted send is resent rather than marked uncertain. @default ['email'] */
  resendable?: readonly ChannelName[];
  /** A recipient cannot be reached on this channel any more (blocked bot, gone address). */
  onUnreachable?(row: DeliveryRow): Promise<void>;
  /** A delivery of this event changed state. */
  onChange?(row: DeliveryRow): void;
  /** A provider call ended (metrics). */
  onAttempt?(report: { channel: ChannelName; outcome: AttemptOutcomeReport; durationMs: number }): void;
  now?: () => number;
  /**
   * Sending is background work of this gate: each claim and each send waits for its foreground,
   * except an alert's (critical deliveries go before requests); a pass sending an alert counts as
   * foreground work itself, so the process's background work steps back meanwhile.
   */
  foreground?: ForegroundGate;
  /**
   * Critical and interactive work in progress (the planner's, shared): bulk sends wait for it, at
   * most its `maxDeferMs` at a time, and a pass sending critical deliveries counts as such work, so
   * a reminder run on one channel leaves the database and the loop to an alert on another.
   */
  higherLanes?: ForegroundGate;
}

/** What one pass of {@link Dispatcher.runOnce} did. */
export interface DispatchPass {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  uncertain: number;
}

/**
 * Sends planned deliveries: per channel it claims due deliveries with a lease, most urgent first,
 * paces them, marks each one `sending` right before its provider call, records the attempt and its
 * outcome, and backs off (per delivery, with jitter; per channel, with a circuit) when providers
 * fail. Deliveries of one key (a Telegram chat) go one at a time, in order; when one fails, the
 * later ones of its key wait for its retry.
 *
 * Higher lanes first: when deliveries of a higher lane are planned while a pass sends lower ones
 * (an alert during a reminder run), the pass hands its unsent rest back and the next claim takes
 * them. An alert does not even wait for that pass's sends in flight (a slow relay's answers): a
 * pass of the critical lane alone starts at once beside it, and the channel's next claims leave the
 * critical lane to it until it is done. Never two passes of one lane at once on a channel.
 *
 * Never twice: a delivery is sent only by the dispatcher that moved it from `claimed` to `sending`
 * under its own lease. Never lost: leases are short and renewed while the dispatcher lives; those
 * that run out are recovered within seconds, `claimed` ones are due again at once, `sending` ones
 * are resent where the channel makes a resend recognisable (email) and otherwise marked
 * `uncertain` for staff (see {@link DeliveryStore.recoverExpired}). The same policy applies to an
 * answer lost after the request was sent (a timeout, a 5xx).
 */
export class Dispatcher {
  readonly owner = `dispatcher-${hostname().slice(0, 20)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly circuits = new Map<ChannelName, Circuit>();
  private running = false;
  private loops: Promise<void>[] = [];
  /** Per channel: its loop's sleep, to cut short. */
  private readonly wake = new Map<ChannelName, Set<() => void>>();
  /** Channels nudged since their current pass claimed: their loop claims again at once. */
  private readonly pending = new Set<ChannelName>();
  /** Deliveries this dispatcher holds a lease on (claimed, not yet finished or handed back). */
  private leased = 0;
  private recoverTimer: NodeJS.Timeout | undefined;
  /** When the next look at the upcoming work (lease recovery, due times) runs. */
  private recoverAt = Number.POSITIVE_INFINITY;
  /** When the last one started. */
  private lastRecoverAt = Number.NEGATIVE_INFINITY;
  private renewTimer: NodeJS.Timeout | undefined;
  /** Aborted on stop: sends still waiting for their slot at the wire are handed back unsent. */
  private stopping = new AbortController();
  /** Per channel: the timer to its earliest known due time (a retry, a handed-back delivery). */
  private readonly dueTimers = new Map<ChannelName, { at: number; timer: NodeJS.Timeout }>();
  /** Per channel: the highest priority planned since its current pass claimed. */
  private readonly nudged = new Map<ChannelName, number>();
  /**
   * Per channel, while its loop is in a pass: whether that pass holds deliveries of the critical
   * lane (or may claim some: not yet claimed with a critical pass beside it).
   */
  private readonly looping = new Map<ChannelName, { critical: boolean }>();
  /** Per channel: its critical pass beside the loop's, while one runs. */
  private readonly criticalPasses = new Map<ChannelName, Promise<void>>();
  /** Channels whose critical pass should claim again (alerts planned or handed back meanwhile). */
  private readonly criticalPending = new Set<ChannelName>();
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly pollIntervalMs: number;
  private readonly safetyPollMs: number;
  private readonly recoverIntervalMs: number;
  private readonly resendable: readonly ChannelName[];

  constructor(private readonly options: DispatcherOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.safetyPollMs = options.safetyPollMs ?? 20_000;
    this.recoverIntervalMs = options.recoverIntervalMs ?? 2_000;
    this.resendable = options.resendable ?? ['email'];
    for (const name of options.channels.keys()) {
      this.circuits.set(
        name,
        new Circuit({ ...options.circuit, ...(options.now ? { now: options.now } : {}) }),
      );
    }
  }

  /**
   * Starts one loop per channel and the safety poll (lease recovery, work of other replicas).
   * Recovers once first, and learns when the deliveries already waiting come due. Idempotent.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    try {
      await this.recover();
    } catch (error) {
      this.running = false;
      clearTimeout(this.recoverTimer);
      this.recoverTimer = undefined;
      throw error;
    }
    this.loops = [...this.options.channels.keys()].map((name) => this.loop(name));
    // Alive and working: our leases must not run out under us.
    this.renewTimer = setInterval(
      () => {
        // Holding nothing, there is nothing to renew: an idle notifier runs no statement for it.
        if (this.leased === 0) return;
        void this.options.store
          .renewLeases(this.owner, this.leaseMs)
          .catch((error: unknown) => this.options.logger.error({ err: error }, 'lease renewal failed'));
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  /** Stops claiming, lets in-flight sends finish and hands unsent claims back. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.recoverTimer);
    this.recoverAt = Number.POSITIVE_INFINITY;
    for (const { timer } of this.dueTimers.values()) clearTimeout(timer);
    this.dueTimers.clear();
    this.stopping.abort(new Error('the dispatcher is stopping'));
    this.nudge();
    await Promise.all(this.loops);
    await Promise.all(this.criticalPasses.values());
    clearInterval(this.renewTimer);
    this.loops = [];
  }

  /**
   * Claims now instead of at the next poll (new deliveries were planned), on the given channels (by
   * default all). Given their priority, a pass sending a lower lane stops and hands its unsent rest
   * back, so the next claim takes them; critical deliveries are claimed at once by a pass of their
   * own when the channel's loop is busy with other lanes.
   */
  nudge(priority?: number, channels?: Iterable<ChannelName>): void {
    for (const name of channels ?? this.options.channels.keys()) {
      if (!this.options.channels.has(name)) continue;
      if (priority !== undefined) {
        this.nudged.set(name, Math.max(this.nudged.get(name) ?? Number.NEGATIVE_INFINITY, priority));
      }
      this.pending.add(name);
      if (priority !== undefined && laneOfPriority(priority) === 0) this.startCriticalPass(name);
      for (const wake of [...(this.wake.get(name) ?? [])]) wake();
    }
  }

  /**
   * Starts a pass of the critical lane alone on `name` when its loop is in a pass that holds no
   * alert (a reminder run's, waiting for a slow relay), so the alert need not wait for that pass's
   * sends in flight; if one runs already, it claims again when done. An idle loop claims the alert
   * itself, woken by the nudge.
   */
  private startCriticalPass(name: ChannelName): void {
    if (!this.running) return;
    if (this.criticalPasses.has(name)) {
      this.criticalPending.add(name);
      return;
    }
    const loop = this.looping.get(name);
    if (loop === undefined || loop.critical) return;
    if ((this.circuits.get(name)?.waitMs ?? 0) > 0) return;
    this.criticalPasses.set(name, this.criticalLoop(name));
  }

  private async criticalLoop(name: ChannelName): Promise<void> {
    try {
      do {
        this.criticalPending.delete(name);
        const { more } = await this.pass(name, 'critical');
        if (more) this.criticalPending.add(name);
      } while (this.running && this.criticalPending.has(name) && (this.circuits.get(name)?.waitMs ?? 0) <= 0);
    } catch (error) {
      this.options.logger.error({ err: error, channel: name }, 'critical dispatch pass failed');
      // The channel's loop claims what is left, once its own pass is done.
      this.pending.add(name);
    } finally {
      // Synchronously after the last check: a nudge from now on starts a new critical pass.
      this.criticalPasses.delete(name);
      this.criticalPending.delete(name);
    }
  }

  /**
   * Recovers expired leases and looks at the upcoming work (normally on a timer): the channels with
   * deliveries due claim now, a timer waits for each channel's next due time, and the next recovery
   * comes when the earliest lease of another dispatcher runs out, at the latest after the safety poll.
   */
  async recover(): Promise<void> {
    this.lastRecoverAt = this.now();
    try {
      const { released, uncertain } = await this.options.store.recoverExpired(this.resendable);
      if (released > 0 || uncertain > 0) {
        this.options.logger.warn(
          { released, uncertain },
          'recovered deliveries of an interrupted dispatcher',
        );
      }
      const upcoming = await this.options.store.upcoming(this.owner);
      let leaseEnd = Number.POSITIVE_INFINITY;
      for (const [name, { dueAt, leaseEndsAt }] of upcoming) {
        if (dueAt !== undefined) this.wakeAt(name, dueAt);
        if (leaseEndsAt !== undefined) leaseEnd = Math.min(leaseEnd, leaseEndsAt + 1);
      }
      this.scheduleRecovery(leaseEnd);
    } catch (error) {
      this.scheduleRecovery();
      throw error;
    }
  }

  /**
   * Runs {@link recover} at `at` (a lease running out), at the latest after the safety poll, and
   * never sooner than `recoverIntervalMs` after the last one.
   */
  private scheduleRecovery(at = Number.POSITIVE_INFINITY): void {
    if (!this.running) return;
    const now = this.now();
    const next = Math.max(this.lastRecoverAt + this.recoverIntervalMs, Math.min(at, now + this.safetyPollMs));
    if (this.recoverTimer !== undefined && this.recoverAt <= next) return;
    clearTimeout(this.recoverTimer);
    this.recoverAt = next;
    this.recoverTimer = setTimeout(
      () => {
        this.recoverTimer = undefined;
        this.recoverAt = Number.POSITIVE_INFINITY;
        void this.recover().catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'lease recovery failed'),
        );
      },
      Math.max(0, next - now),
    );
    this.recoverTimer.unref();
  }

  /**
   * Wakes `name`'s loop at `at` (a delivery comes due then), or at once when `at` has passed; one
   * timer per channel, to its earliest time.
   */
  private wakeAt(name: ChannelName, at: number): void {
    if (!this.running || !this.options.channels.has(name)) return;
    const wait = at - this.now();
    if (wait <= 0) {
      this.nudge(undefined, [name]);
      return;
    }
    const current = this.dueTimers.get(name);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.dueTimers.delete(name);
      // A timer may fire a moment early: wait out the rest rather than claim too soon.
      this.wakeAt(name, at);
    }, wait);
    timer.unref();
    this.dueTimers.set(name, { at, timer });
  }

  /** One claim and its sends on every channel whose circuit is closed (for tests and tools). */
  async runOnce(): Promise<DispatchPass> {
    const total: DispatchPass = { claimed: 0, sent: 0, retried: 0, dead: 0, uncertain: 0 };
    for (const name of this.options.channels.keys()) {
      if ((this.circuits.get(name)?.waitMs ?? 0) > 0) continue;
      const { pass } = await this.pass(name);
      total.claimed += pass.claimed;
      total.sent += pass.sent;
      total.retried += pass.retried;
      total.dead += pass.dead;
      total.uncertain += pass.uncertain;
    }
    return total;
  }

  private async loop(name: ChannelName): Promise<void> {
    const circuit = this.circuits.get(name)!;
    while (this.running) {
      try {
        const wait = circuit.waitMs;
        if (wait > 0) {
          await this.sleep(wait, name);
          continue;
        }
        // Claims again at once only when there may be more due: a full batch, deliveries planned or
        // handed back meanwhile. Otherwise the next claim would find nothing: wait for a nudge (new
        // deliveries, a due time reached, the safety poll finding work of another replica).
        const { more } = await this.pass(name);
        if (!more && !this.pending.has(name)) await this.sleep(Number.POSITIVE_INFINITY, name);
      } catch (error) {
        // A database hiccup: log and come back after a pause rather than spin.
        this.options.logger.error({ err: error, channel: name }, 'dispatch pass failed');
        await this.sleep(this.pollIntervalMs, name);
      }
    }
  }

  private sleep(ms: number, name: ChannelName): Promise<void> {
    let sleepers = this.wake.get(name);
    if (!sleepers) this.wake.set(name, (sleepers = new Set()));
    const own = sleepers;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        own.delete(done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      own.add(done);
    });
  }

  /**
   * One claim and its sends; `more` when another claim right away may find due deliveries. The
   * channel's loop claims every lane, but not the critical one while a critical pass runs beside it;
   * that pass (`lane` `critical`) claims the critical lane alone.
   */
  private async pass(name: ChannelName, lane?: 'critical'): Promise<{ pass: DispatchPass; more: boolean }> {
    // The nudge stays: the loop's pass still hands its unsent rest back, and its next claim sees it.
    if (lane === 'critical') return this.claimAndSend(name, { atLeast: LANE_PRIORITY.critical });
    const loop = { critical: true };
    this.looping.set(name, loop);
    try {
      // An alert's deliveries go before requests; everything else waits for them.
      const critical = laneOfPriority(this.nudged.get(name) ?? Number.NEGATIVE_INFINITY) === 0;
      if (!critical) {
        // A pass that cannot have claimed an alert yet: an alert planned meanwhile gets its own.
        loop.critical = false;
        await this.options.foreground?.whenIdle();
      }
      // Whatever was planned before this claim, the claim sees (most urgent first).
      this.nudged.set(name, Number.NEGATIVE_INFINITY);
      this.pending.delete(name);
      // An alert's own pass runs beside this one: it alone claims the critical lane meanwhile.
      const beside = this.criticalPasses.has(name);
      loop.critical = !beside;
      return await this.claimAndSend(
        name,
        beside ? { below: LANE_PRIORITY.critical } : undefined,
        (rows) => (loop.critical = rows.some((row) => laneOfPriority(row.priority) === 0)),
      );
    } finally {
      if (this.looping.get(name) === loop) this.looping.delete(name);
    }
  }

  private async claimAndSend(
    name: ChannelName,
    priority: { atLeast?: number; below?: number } | undefined,
    claimed?: (rows: readonly DeliveryRow[]) => void,
  ): Promise<{ pass: DispatchPass; more: boolean }> {
    const rows = await this.options.store.claim({
      channel: name,
      owner: this.owner,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      ...(priority ? { priority } : {}),
    });
    claimed?.(rows);
    const pass: DispatchPass = { claimed: rows.length, sent: 0, retried: 0, dead: 0, uncertain: 0 };
    if (rows.length === 0) return { pass, more: false };
    this.leased += rows.length;
    try {
      return await this.sendClaimed(name, rows, pass);
    } finally {
      this.leased -= rows.length;
    }
  }

  private async sendClaimed(
    name: ChannelName,
    rows: readonly DeliveryRow[],
    pass: DispatchPass,
  ): Promise<{ pass: DispatchPass; more: boolean }> {
    const target = this.options.channels.get(name)!;
    const circuit = this.circuits.get(name)!;
    for (const eventId of new Set(rows.map((row) => row.eventId))) {
      traceNotifier({ stage: 'claimed', eventId, channel: name });
    }
    /** Claimed and not handed over, with when each is due again. */
    const unsent = new Map<string, number>();
    /** Keys whose delivery failed this pass: their later deliveries wait for its retry. */
    const heldKeys = new Map<string, number>();
    const keyOf = (row: DeliveryRow) => (target.inOrder ? (target.keyOf(row) ?? row.id) : row.id);
    const workers = Math.max(1, Math.min(target.concurrency ?? 8, rows.length));
    let left = rows.length;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const scheduler = new KeyedScheduler<DeliveryRow>(workers, async (row) => {
      try {
        const lane = laneOfPriority(row.priority);
        if (lane === 2) await this.options.higherLanes?.whenIdle();
        if (lane > 0) await this.options.foreground?.whenIdle();
        const key = keyOf(row);
        const held = heldKeys.get(key);
        if (held !== undefined) {
          unsent.set(row.id, held);
          return;
        }
        if ((!this.running && this.loops.length > 0) || circuit.waitMs > 0 || this.preempted(name, row)) {
          unsent.set(row.id, Math.max(this.now(), circuit.openUntil));
          return;
        }
        const outcome = await this.deliver(target, circuit, row);
        if (outcome.result === 'unsent') unsent.set(row.id, Math.max(this.now(), circuit.openUntil));
        else pass[outcome.result] += 1;
        if (outcome.dueAgainAt !== undefined) this.wakeAt(name, outcome.dueAgainAt);
        if (outcome.dueAgainAt !== undefined && target.inOrder) heldKeys.set(key, outcome.dueAgainAt);
      } finally {
        if (--left === 0) finished();
      }
    });
    // Sending an alert: bulk sends on the other channels wait meanwhile.
    const sendsAlert = rows.some((row) => laneOfPriority(row.priority) === 0);
    const urgent = sendsAlert ? this.options.higherLanes?.begin() : undefined;
    // ...and so does the process's other background work (the embedded hub's consumers).
    const foreground = sendsAlert ? this.options.foreground?.begin() : undefined;
    for (const row of rows) scheduler.push(keyOf(row), row);
    await done.finally(() => {
      urgent?.();
      foreground?.();
    });
    // Claimed but never handed over: due again when their key's retry is, when the circuit closes,
    // or at once (a stop, a higher lane waiting).
    const byDue = new Map<number, string[]>();
    for (const [id, dueAt] of unsent) byDue.set(dueAt, [...(byDue.get(dueAt) ?? []), id]);
    for (const [dueAt, ids] of byDue) await this.options.store.release(ids, this.owner, dueAt);
    const handedBackDue = [...byDue.keys()].some((dueAt) => dueAt <= this.now());
    for (const dueAt of byDue.keys()) if (dueAt > this.now()) this.wakeAt(name, dueAt);
    return { pass, more: rows.length >= this.batchSize || handedBackDue };
  }

  /** Whether deliveries of a higher lane were planned since this pass claimed `row`'s lane. */
  private preempted(name: ChannelName, row: DeliveryRow): boolean {
    const waiting = this.nudged.get(name) ?? Number.NEGATIVE_INFINITY;
    return waiting > row.priority && laneOfPriority(waiting) < laneOfPriority(row.priority);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async deliver(
    target: DispatchChannel,
    circuit: Circuit,
    row: DeliveryRow,
  ): Promise<{ result: 'sent' | 'retried' | 'dead' | 'uncertain' | 'unsent'; dueAgainAt?: number }> {
    const { store, logger } = this.options;
    let message: OutgoingMessage;
    try {
      message = await this.options.render(row);
    } catch (error) {
      logger.error({ err: error, deliveryId: row.id }, 'delivery cannot be rendered');
      const attempt = await store.startAttempt(row, this.owner, this.leaseMs);
      if (attempt === null) return { result: 'unsent' };
      await store.markDead(row, attempt, 'permanent', 'the message could not be rendered');
      this.options.onChange?.(row);
      return { result: 'dead' };
    }
    const sending = await this.sendPaced(target, row, message);
    if (sending === null) return { result: 'unsent' };
    const { opened, result, started } = sending;
    const attempt = row.attempts + 1;
    this.options.onAttempt?.({
      channel: row.channel,
      outcome: result.ok ? 'sent' : result.failure.kind,
      durationMs: performance.now() - started,
    });
    try {
      if (result.ok) {
        circuit.succeeded();
        await store.markSent(row, opened, result.providerMessageId);
        if (deliveredChannel.hasSubscribers) {
          deliveredChannel.publish({
            eventId: row.eventId,
            eventType: row.eventType,
            channel: row.channel,
            deliveryId: row.id,
          });
        }
        return { result: 'sent' };
      }
      const failure = result.failure;
      if (failure.kind === 'uncertain' && this.uncertainPolicy(target, row.channel) === 'hold') {
        // The provider may have it: another attempt could reach the person twice. Staff decide.
        await store.markUncertain(row, opened, failure.reason);
        logger.warn(
          { deliveryId: row.id, eventId: row.eventId, channel: row.channel, reason: failure.reason },
          'delivery uncertain: the answer was lost after sending; left for staff to check and replay',
        );
        return { result: 'uncertain' };
      }
      if (failure.kind === 'retryable' || failure.kind === 'uncertain') {
        if (failure.retryAfterMs) target.limiter?.holdOff(failure.retryAfterMs);
        if (circuit.failed(failure.retryAfterMs)) {
          logger.warn(
            { channel: row.channel, pauseMs: circuit.waitMs, reason: failure.reason },
            'channel keeps failing: pausing it',
          );
        }
        if (attempt < this.maxAttempts) {
          const delayMs = backoffDelay(attempt, this.options.backoff, failure.retryAfterMs);
          // An uncertain email goes again with the same Message-ID: receiving systems recognise it.
          await store.markRetry(row, opened, failure.reason, delayMs);
          return { result: 'retried', dueAgainAt: this.now() + delayMs };
        }
        await store.markDead(
          row,
          opened,
          'retryable',
          `gave up after ${attempt} attempts: ${failure.reason}`,
        );
        return { result: 'dead' };
      }
      await store.markDead(row, opened, 'permanent', failure.reason);
      if (failure.unlinkRecipient && row.fiscalCode !== null) {
        await this.options
          .onUnreachable?.(row)
          .catch((error: unknown) =>
            logger.error({ err: error, deliveryId: row.id }, 'could not report an unreachable recipient'),
          );
      }
      return { result: 'dead' };
    } finally {
      this.options.onChange?.(row);
    }
  }

  /**
   * Marks `row` as `sending` and sends it: right before the provider call, after its pacing; on a
   * channel that {@link Channel.callsLeaving}, as its request leaves (its slot at the wire taken),
   * so a crash or a stop while it waits for the slot leaves it plainly claimed, resent safely.
   * @returns `null` when it was not sent (its lease lost, a stop while it waited).
   */
  private async sendPaced(
    target: DispatchChannel,
    row: DeliveryRow,
    message: OutgoingMessage,
  ): Promise<{ opened: StartedAttempt; result: SendResult; started: number } | null> {
    const key = target.keyOf(row);
    const attempt: { opened: StartedAttempt | null; started: number } = { opened: null, started: 0 };
    const open = async () => {
      attempt.opened = await this.options.store.startAttempt(row, this.owner, this.leaseMs);
      if (attempt.opened === null) return false;
      traceNotifier({ stage: 'sending', eventId: row.eventId, channel: row.channel });
      attempt.started = performance.now();
      return true;
    };
    const atWire = target.channel.callsLeaving === true;
    if (!atWire) {
      if (target.pacer) {
        // An alert's request takes its slot in the channel, ahead of the others waiting there.
        if (laneOfPriority(row.priority) !== 0) await target.pacer.ready(key);
      } else await target.limiter?.acquire(key);
      if (!(await open())) return null;
    }
    let result: SendResult;
    try {
      result = await this.send(
        target,
        row,
        message,
        atWire ? { leaving: open, signal: this.stopping.signal } : undefined,
      );
    } catch (error) {
      // Adapters return failures; a throw is unexpected and may have come after the request left.
      result = {
        ok: false,
        failure: { kind: 'uncertain', reason: 'the channel adapter failed', cause: error },
      };
    }
    if (attempt.opened === null) {
      // Refused for good before leaving (a message the channel cannot carry): a failed attempt.
      const refused = !result.ok && result.failure.kind === 'permanent' && !this.stopping.signal.aborted;
      // Otherwise it never left (a stop while it waited, its lease lost): handed back unsent.
      if (!refused || !(await open())) return null;
    }
    const opened = attempt.opened as StartedAttempt | null;
    if (opened === null) return null;
    return { opened, result, started: attempt.started };
  }

  private uncertainPolicy(target: DispatchChannel, channel: ChannelName): 'resend' | 'hold' {
    return target.onUncertain ?? (this.resendable.includes(channel) ? 'resend' : 'hold');
  }

  private send(
    target: DispatchChannel,
    row: DeliveryRow,
    message: OutgoingMessage,
    hooks: SendHooks | undefined,
  ): Promise<SendResult> {
    if (row.fiscalCode === null) {
      // The comune's public channel: one post reaches every follower.
      if (!target.channel.sendToChannel) {
        return Promise.resolve({
          ok: false,
          failure: {
            kind: 'permanent',
            reason: `the ${row.channel} channel cannot post to a public channel`,
          },
        });
      }
      return target.channel.sendToChannel(
        {
          channelId: row.address,
          text: message.text,
          ...(message.markdownV2 !== undefined ? { markdownV2: message.markdownV2 } : {}),
          // Followers' phones ring only for what rings for everyone (a red alert), not for yellow or orange.
          silent: message.silent ?? false,
        },
        hooks,
      );
    }
    return target.channel.send(message, hooks);
  }
}
