import { randomUUID } from 'node:crypto';
import type { Consumer, EventBus } from '@sportello/platform';
import { RateLimiter, type RateDecision } from './rate-limiter.js';

/** The bus topic on which gateway replicas tell each other what they let through. */
export const RATE_USAGE_TOPIC = 'gateway-rate-usage';

/** The two budgets the gateway keeps: per client IP address and per API client (or person). */
export type RateLimitKind = 'ip' | 'client';
const KINDS: readonly RateLimitKind[] = ['ip', 'client'];

/** Options of {@link SharedRateLimits}. */
export interface SharedRateLimitsOptions {
  /** Buckets kept per kind; the least recently used is forgotten beyond this. */
  maxTrackedKeys: number;
  /** Where the replicas of this gateway meet; without it the budgets are this process's alone. */
  bus?: EventBus;
  /** How often a replica reports what it let through since its last report; 0 never. */
  syncIntervalMs: number;
  logger: { warn(fields: object, message?: string): void };
  /** Another replica's report was applied: it had let `requests` through under `kind` budgets. */
  onPeerUsage?: (kind: RateLimitKind, requests: number) => void;
  now?: () => number;
}

/** Keys one report carries at most (about 100 KiB); the rest goes in the next one. */
const MAX_REPORT_ENTRIES = 2_000;
/** A report bigger than this is not from a replica of ours: ignored unread. */
const MAX_REPORT_BYTES = 512 * 1024;
const MAX_KEY_LENGTH = 256;

/** What one replica let through since its previous report: `[key, requests, perMinute]` per kind. */
interface UsageReport {
  replica: string;
  usage: Partial<Record<RateLimitKind, Array<[string, number, number]>>>;
}

/**
 * The gateway's rate limits, kept to by all its replicas together. Each replica decides on its own
 * buckets (no round trip on the request path) and broadcasts, every `syncIntervalMs`, how many
 * requests it let through per key; the others spend as many tokens of their buckets. A client
 * spreading requests over replicas gets its budget once, not once per replica; what the replicas
 * let through within one interval before they hear of each other is the only excess.
 *
 * Reports travel on the deployment's own bus (not stored); keys (IP addresses, client ids) are
 * never logged.
 */
export class SharedRateLimits {
  private readonly replica = randomUUID();
  private readonly limiters: Record<RateLimitKind, RateLimiter>;
  private readonly pending: Record<RateLimitKind, Map<string, { count: number; perMinute: number }>> = {
    ip: new Map(),
    client: new Map(),
  };
  private timer: NodeJS.Timeout | undefined;
  private subscription: Consumer | undefined;
  private malformedReported = false;

  constructor(private readonly options: SharedRateLimitsOptions) {
    this.limiters = {
      ip: new RateLimiter(options.maxTrackedKeys, options.now),
      client: new RateLimiter(options.maxTrackedKeys, options.now),
    };
  }

  private get sharing(): boolean {
    return this.options.bus !== undefined && this.options.syncIntervalMs > 0;
  }

  /** Starts hearing the other replicas and reporting to them. */
  async start(): Promise<void> {
    const bus = this.options.bus;
    if (!bus || !this.sharing) return;
    this.subscription = await bus.onBroadcast(RATE_USAGE_TOPIC, (data) => this.apply(data));
    this.timer = setInterval(() => this.report(), this.options.syncIntervalMs);
    this.timer.unref();
  }

  /** Takes one request of `key`'s budget of `perMinute` a minute. */
  take(kind: RateLimitKind, key: string, perMinute: number): RateDecision {
    const decision = this.limiters[kind].take(key, perMinute);
    if (decision.allowed && this.sharing) {
      const pending = this.pending[kind];
      const entry = pending.get(key);
      if (entry) {
        entry.count += 1;
        entry.perMinute = perMinute;
      } else {
        pending.set(key, { count: 1, perMinute });
        // Bounded like the buckets: a flood of new keys is reported early rather than held.
        if (pending.size >= this.options.maxTrackedKeys) this.report();
      }
    }
    return decision;
  }

  /** Sends what this replica let through since its last report (nothing when it let nothing through). */
  private report(): void {
    const bus = this.options.bus;
    if (!bus) return;
    const usage: UsageReport['usage'] = {};
    let entries = 0;
    for (const kind of KINDS) {
      const pending = this.pending[kind];
      if (pending.size === 0) continue;
      const rows: Array<[string, number, number]> = [];
      for (const [key, { count, perMinute }] of pending) {
        if (entries >= MAX_REPORT_ENTRIES) break;
        rows.push([key, count, perMinute]);
        pending.delete(key);
        entries += 1;
      }
      usage[kind] = rows;
    }
    if (entries === 0) return;
    const report: UsageReport = { replica: this.replica, usage };
    try {
      bus.broadcast(RATE_USAGE_TOPIC, Buffer.from(JSON.stringify(report)));
    } catch (err) {
      // The bus is down or closing: this replica's budgets still hold on their own.
      this.options.logger.warn({ err }, 'rate-limit usage not reported to the other replicas');
    }
  }

  /** Spends, in this replica's buckets, what another replica let through. */
  private apply(data: Uint8Array): void {
    const report = data.byteLength <= MAX_REPORT_BYTES ? parseReport(data) : undefined;
    if (!report) {
      if (!this.malformedReported) {
        this.malformedReported = true;
        this.options.logger.warn(
          { topic: RATE_USAGE_TOPIC, bytes: data.byteLength },
          'ignoring a malformed rate-limit usage report (further ones are ignored silently)',
        );
      }
      return;
    }
    if (report.replica === this.replica) return;
    for (const kind of KINDS) {
      let requests = 0;
      for (const [key, count, perMinute] of report.usage[kind] ?? []) {
        this.limiters[kind].charge(key, count, perMinute);
        requests += count;
      }
      if (requests > 0) this.options.onPeerUsage?.(kind, requests);
    }
  }

  /** Reports what is pending and stops hearing the others. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.sharing) this.report();
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}

function parseReport(data: Uint8Array): UsageReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { replica, usage } = value as Record<string, unknown>;
  if (typeof replica !== 'string' || typeof usage !== 'object' || usage === null) return undefined;
  const parsed: UsageReport = { replica, usage: {} };
  for (const kind of KINDS) {
    const rows = (usage as Record<string, unknown>)[kind];
    if (rows === undefined) continue;
    if (!Array.isArray(rows) || rows.length > MAX_REPORT_ENTRIES || !rows.every(isUsageRow)) return undefined;
    parsed.usage[kind] = rows;
  }
  return parsed;
}

function isUsageRow(row: unknown): row is [string, number, number] {
  if (!Array.isArray(row) || row.length !== 3) return false;
  const [key, count, perMinute] = row as unknown[];
  return (
    typeof key === 'string' &&
    key.length <= MAX_KEY_LENGTH &&
    Number.isInteger(count) &&
    (count as number) > 0 &&
    Number.isInteger(perMinute) &&
    (perMinute as number) > 0
  );
}
