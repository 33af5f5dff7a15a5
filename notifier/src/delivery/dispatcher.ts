import { randomBytes } from 'node:crypto';
import type { ForegroundGate, Logger } from '@sportello/platform';
import type { Channel, ChannelName, OutgoingMessage, SendResult } from '../channels/channel.js';
import type { ChannelPost } from '../channels/telegram/telegram-channel.js';
import { backoffDelay, type BackoffPolicy } from '../pacing/backoff.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import type { DeliveryRow, DeliveryStore } from './delivery-store.js';

/** A channel as the dispatcher drives it. */
export interface DispatchChannel {
  channel: Channel & { sendToChannel?(post: ChannelPost): Promise<SendResult> };
  /**
   * Paces calls before a delivery is marked `sending`, so the window in which a crash leaves a
   * delivery uncertain is the provider call alone, not the wait in a queue. Channels should then not
   * pace on their own.
   */
  limiter: RateLimiter;
  /** The limiter key of a delivery (Telegram: the chat; IO: the comune; email: none). */
  keyOf(row: DeliveryRow): string | undefined;
  /** In flight at once. @default 8 */
  concurrency?: number;
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
  /** How long a claim or a send may take before another dispatcher may recover it. @default 120000 */
  leaseMs?: number;
  /** Attempts before a delivery is dead. @default 8 */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  circuit?: CircuitOptions;
  /** Poll interval when nothing nudges the dispatcher. @default 1000 */
  pollIntervalMs?: number;
  /** How often expired leases are recovered. @default 10000 */
  recoverIntervalMs?: number;
  /** Channels on which an interrupted send is resent rather than marked uncertain. @default ['email'] */
  resendable?: readonly ChannelName[];
  /** A recipient cannot be reached on this channel any more (blocked bot, gone address). */
  onUnreachable?(row: DeliveryRow): Promise<void>;
  /** A delivery of this event changed state. */
  onChange?(row: DeliveryRow): void;
  now?: () => number;
  /** Sending is background work of this gate: each claim and each send waits for its foreground. */
  foreground?: ForegroundGate;
}

/** What one pass of {@link Dispatcher.runOnce} did. */
export interface DispatchPass {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
}

/**
 * Sends planned deliveries: per channel it claims due deliveries with a lease, paces them, marks
 * each one `sending` right before its provider call, records the attempt and its outcome, and backs
 * off (per delivery, with jitter; per channel, with a circuit) when providers fail.
 *
 * Never twice: a delivery is sent only by the dispatcher that moved it from `claimed` to `sending`
 * under its own lease. Never lost: leases that run out are recovered, `claimed` ones are due again
 * at once, `sending` ones are resent where the channel makes a resend recognisable (email) and
 * otherwise marked `uncertain` for staff (see {@link DeliveryStore.recoverExpired}).
 */
export class Dispatcher {
  readonly owner = `dispatcher-${randomBytes(6).toString('hex')}`;
  private readonly circuits = new Map<ChannelName, Circuit>();
  private running = false;
  private loops: Promise<void>[] = [];
  private wake = new Set<() => void>();
  private recoverTimer: NodeJS.Timeout | undefined;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly pollIntervalMs: number;
  private readonly resendable: readonly ChannelName[];

  constructor(private readonly options: DispatcherOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.resendable = options.resendable ?? ['email'];
    for (const name of options.channels.keys()) {
      this.circuits.set(
        name,
        new Circuit({ ...options.circuit, ...(options.now ? { now: options.now } : {}) }),
      );
    }
  }

  /** Starts one loop per channel and the lease recovery. Recovers once first. Idempotent. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.recover();
    this.running = true;
    this.loops = [...this.options.channels.keys()].map((name) => this.loop(name));
    this.recoverTimer = setInterval(() => {
      void this.recover().catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'lease recovery failed'),
      );
    }, this.options.recoverIntervalMs ?? 10_000);
    this.recoverTimer.unref();
  }

  /** Stops claiming, lets in-flight sends finish and hands unsent claims back. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.recoverTimer);
    this.nudge();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Claims now instead of at the next poll (new deliveries were planned). */
  nudge(): void {
    for (const wake of [...this.wake]) wake();
  }

  /** Recovers expired leases (normally on a timer). */
  async recover(): Promise<void> {
    const { released, uncertain } = await this.options.store.recoverExpired(this.resendable);
    if (released > 0 || uncertain > 0) {
      this.options.logger.warn({ released, uncertain }, 'recovered deliveries of an interrupted dispatcher');
    }
  }

  /** One claim and its sends on every channel whose circuit is closed (for tests and tools). */
  async runOnce(): Promise<DispatchPass> {
    const total: DispatchPass = { claimed: 0, sent: 0, retried: 0, dead: 0 };
    for (const name of this.options.channels.keys()) {
      if ((this.circuits.get(name)?.waitMs ?? 0) > 0) continue;
      const pass = await this.pass(name);
      total.claimed += pass.claimed;
      total.sent += pass.sent;
      total.retried += pass.retried;
      total.dead += pass.dead;
    }
    return total;
  }

  private async loop(name: ChannelName): Promise<void> {
    const circuit = this.circuits.get(name)!;
    while (this.running) {
      try {
        const wait = circuit.waitMs;
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        const pass = await this.pass(name);
        if (pass.claimed === 0) await this.sleep(this.pollIntervalMs);
      } catch (error) {
        // A database hiccup: log and come back after a pause rather than spin.
        this.options.logger.error({ err: error, channel: name }, 'dispatch pass failed');
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  private async pass(name: ChannelName): Promise<DispatchPass> {
    const target = this.options.channels.get(name)!;
    const circuit = this.circuits.get(name)!;
    await this.options.foreground?.whenIdle();
    const rows = await this.options.store.claim({
      channel: name,
      owner: this.owner,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
    });
    const pass: DispatchPass = { claimed: rows.length, sent: 0, retried: 0, dead: 0 };
    if (rows.length === 0) return pass;
    const queue = [...rows];
    const unsent: string[] = [];
    const worker = async () => {
      for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
        await this.options.foreground?.whenIdle();
        if (!this.running && this.loops.length > 0) {
          unsent.push(row.id);
          continue;
        }
        if (circuit.waitMs > 0) {
          unsent.push(row.id);
          continue;
        }
        const outcome = await this.deliver(target, circuit, row);
        if (outcome === 'unsent') unsent.push(row.id);
        else pass[outcome] += 1;
      }
    };
    const workers = Math.max(1, Math.min(target.concurrency ?? 8, rows.length));
    await Promise.all(Array.from({ length: workers }, worker));
    // Claimed but never handed over: due again when the circuit closes (or at once on stop).
    await this.options.store.release(unsent, this.owner, Math.max(this.now(), circuit.openUntil));
    return pass;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async deliver(
    target: DispatchChannel,
    circuit: Circuit,
    row: DeliveryRow,
  ): Promise<'sent' | 'retried' | 'dead' | 'unsent'> {
    const { store, logger } = this.options;
    let message: OutgoingMessage;
    try {
      message = await this.options.render(row);
    } catch (error) {
      logger.error({ err: error, deliveryId: row.id }, 'delivery cannot be rendered');
      const attemptId = await store.startAttempt(row, this.owner, this.leaseMs);
      if (attemptId === null) return 'unsent';
      await store.markDead(row, attemptId, 'permanent', 'the message could not be rendered');
      this.options.onChange?.(row);
      return 'dead';
    }
    await target.limiter.acquire(target.keyOf(row));
    const attemptId = await store.startAttempt(row, this.owner, this.leaseMs);
    if (attemptId === null) return 'unsent';
    const attempt = row.attempts + 1;
    let result: SendResult;
    try {
      result = await this.send(target, row, message);
    } catch (error) {
      // Adapters return failures; a throw is unexpected, so it is treated as retryable once more.
      result = {
        ok: false,
        failure: { kind: 'retryable', reason: 'the channel adapter failed', cause: error },
      };
    }
    try {
      if (result.ok) {
        circuit.succeeded();
        await store.markSent(row, attemptId, result.providerMessageId);
        return 'sent';
      }
      const failure = result.failure;
      if (failure.kind === 'retryable') {
        if (failure.retryAfterMs) target.limiter.holdOff(failure.retryAfterMs);
        if (circuit.failed(failure.retryAfterMs)) {
          logger.warn(
            { channel: row.channel, pauseMs: circuit.waitMs, reason: failure.reason },
            'channel keeps failing: pausing it',
          );
        }
        if (attempt < this.maxAttempts) {
          await store.markRetry(
            row,
            attemptId,
            failure.reason,
            backoffDelay(attempt, this.options.backoff, failure.retryAfterMs),
          );
          return 'retried';
        }
        await store.markDead(
          row,
          attemptId,
          'retryable',
          `gave up after ${attempt} attempts: ${failure.reason}`,
        );
        return 'dead';
      }
      await store.markDead(row, attemptId, 'permanent', failure.reason);
      if (failure.unlinkRecipient && row.fiscalCode !== null) {
        await this.options
          .onUnreachable?.(row)
          .catch((error: unknown) =>
            logger.error({ err: error, deliveryId: row.id }, 'could not report an unreachable recipient'),
          );
      }
      return 'dead';
    } finally {
      this.options.onChange?.(row);
    }
  }

  private send(target: DispatchChannel, row: DeliveryRow, message: OutgoingMessage): Promise<SendResult> {
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
      return target.channel.sendToChannel({
        channelId: row.address,
        text: message.text,
        ...(message.markdownV2 !== undefined ? { markdownV2: message.markdownV2 } : {}),
        // Followers' phones ring only for what rings for everyone (a red alert), not for yellow or orange.
        silent: message.silent ?? false,
      });
    }
    return target.channel.send(message);
  }
}
