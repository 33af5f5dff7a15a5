import { v7 as uuidv7 } from 'uuid';
import type { Database, DatabaseDriver, EntityManager } from '@sportello/platform';
import type { Lane } from '@sportello/schema';
import type { ChannelName, Language } from '../channels/channel.js';
import type { AttemptOutcome } from '../entities/delivery-attempt.entity.js';
import type { DeliveryStatus } from '../entities/delivery.entity.js';

/**
 * The delivery table's hot paths in plain SQL: bulk planning, leased claims and state changes each
 * take one statement, whatever the ORM would do row by row. Every statement is written once for
 * both dialects (`?` placeholders, `on conflict ... do nothing`, `returning`); only the claim adds
 * `for update skip locked` on PostgreSQL.
 */

/**
 * What a delivery's lane adds to the priority its rule gave it (rules give 0-999): every critical
 * delivery goes before every interactive one, and those before bulk ones.
 */
export const LANE_PRIORITY: Readonly<Record<Lane, number>> = { critical: 2000, interactive: 1000, bulk: 0 };

/** The priority of a delivery of `lane` whose rule said `rulePriority`. */
export function lanePriority(lane: Lane, rulePriority: number): number {
  return LANE_PRIORITY[lane] + Math.max(0, Math.min(999, rulePriority));
}

/** The rank of the lane a priority belongs to: 0 critical, 1 interactive, 2 bulk. */
export function laneOfPriority(priority: number): number {
  return priority >= LANE_PRIORITY.critical ? 0 : priority >= LANE_PRIORITY.interactive ? 1 : 2;
}

/** A delivery to record. */
export interface NewDelivery {
  comune: string;
  eventId: string;
  eventType: string;
  recipientKey: string;
  fiscalCode: string | null;
  channel: ChannelName;
  address: string;
  language: Language;
  priority: number;
}

/** A delivery as the dispatcher works on it. */
export interface DeliveryRow {
  id: string;
  comune: string;
  eventId: string;
  eventType: string;
  fiscalCode: string | null;
  channel: ChannelName;
  address: string;
  language: Language;
  status: DeliveryStatus;
  attempts: number;
  /** Higher goes first (see {@link lanePriority}). */
  priority: number;
}

/** An attempt under way: recorded with its outcome. */
export interface StartedAttempt {
  id: string;
  /** 1 for the delivery's first attempt. */
  attempt: number;
  startedAt: number;
}

/** Deliveries of one event on one channel, by state. */
export interface ChannelCounts {
  planned: number;
  sent: number;
  failed: number;
  dead: number;
  uncertain: number;
}

const INSERT_COLUMNS = [
  'id',
  'comune',
  'event_id',
  'event_type',
  'recipient_key',
  'fiscal_code',
  'channel',
  'address',
  'language',
  'priority',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
] as const;

/**
 * Rows per INSERT, 15 parameters each: under SQLite's 32,766 and PostgreSQL's 65,535 bound
 * parameters per statement.
 */
export const INSERT_CHUNK: Readonly<Record<DatabaseDriver, number>> = { sqlite: 2000, postgresql: 4000 };

const RETURNED = `id, comune, event_id, event_type, fiscal_code, channel, address, language, status, attempts, priority`;

function toRow(raw: Record<string, unknown>): DeliveryRow {
  return {
    id: String(raw.id),
    comune: String(raw.comune),
    eventId: String(raw.event_id),
    eventType: String(raw.event_type),
    fiscalCode: raw.fiscal_code === null || raw.fiscal_code === undefined ? null : String(raw.fiscal_code),
    channel: String(raw.channel) as ChannelName,
    address: String(raw.address),
    language: String(raw.language) as Language,
    status: String(raw.status) as DeliveryStatus,
    attempts: Number(raw.attempts),
    priority: Number(raw.priority ?? 0),
  };
}

/** A statement and its parameters. */
interface Statement {
  sql: string;
  params: unknown[];
}

/** Outcomes recorded in one SQLite transaction at most. */
const COMMIT_GROUP = 200;

function affected(result: unknown): number {
  return Number((result as { affectedRows?: number } | undefined)?.affectedRows ?? 0);
}

/** SQL access to deliveries and their attempts. */
export class DeliveryStore {
  /** Outcomes waiting for their transaction (SQLite), and the one running. */
  private readonly toCommit: Array<{
    statements: readonly Statement[];
    resolve(): void;
    reject(error: unknown): void;
  }> = [];
  private committing: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly now: () => number = Date.now,
  ) {}

  get driver(): DatabaseDriver {
    return this.database.driver;
  }

  private em(): EntityManager {
    return this.database.forkUnscoped();
  }

  /**
   * Records deliveries in chunks of {@link INSERT_CHUNK} rows, one statement each; those already recorded (same event,
   * recipient and channel) are left as they are.
   * @returns how many were new.
   */
  async insert(rows: readonly NewDelivery[], em: EntityManager = this.em()): Promise<number> {
    let inserted = 0;
    const now = this.now();
    const size = INSERT_CHUNK[this.driver];
    for (let start = 0; start < rows.length; start += size) {
      const chunk = rows.slice(start, start + size);
      const params: unknown[] = [];
      for (const row of chunk) {
        params.push(
          uuidv7(),
          row.comune,
          row.eventId,
          row.eventType,
          row.recipientKey,
          row.fiscalCode,
          row.channel,
          row.address,
          row.language,
          row.priority,
          'planned',
          0,
          now,
          now,
          now,
        );
      }
      const tuple = `(${INSERT_COLUMNS.map(() => '?').join(', ')})`;
      const sql =
        `insert into delivery (${INSERT_COLUMNS.join(', ')}) values ${chunk.map(() => tuple).join(', ')} ` +
        `on conflict (event_id, recipient_key, channel) do nothing`;
      inserted += affected(await em.execute(sql, params, 'run'));
    }
    return inserted;
  }

  /**
   * Leases up to `limit` due deliveries of a channel (planned, or retrying and due), most urgent
   * first. On PostgreSQL concurrent dispatchers skip each other's rows (`skip locked`) instead of
   * waiting; SQLite serialises writers, so the update alone is enough. `priority` bounds the claim
   * to some lanes (`{ atLeast: LANE_PRIORITY.critical }`: alerts alone; `{ below: ... }`: the rest).
   */
  async claim(options: {
    channel: ChannelName;
    owner: string;
    limit: number;
    leaseMs: number;
    priority?: { atLeast?: number; below?: number };
  }): Promise<DeliveryRow[]> {
    const now = this.now();
    const lock = this.driver === 'postgresql' ? ' for update skip locked' : '';
    const bounds: string[] = [];
    const bound: number[] = [];
    if (options.priority?.atLeast !== undefined) {
      bounds.push(' and priority >= ?');
      bound.push(options.priority.atLeast);
    }
    if (options.priority?.below !== undefined) {
      bounds.push(' and priority < ?');
      bound.push(options.priority.below);
    }
    const rows = await this.em().execute<Record<string, unknown>[]>(
      `update delivery set status = 'claimed', lease_owner = ?, lease_until = ?, updated_at = ? ` +
        `where id in (select id from delivery where channel = ? and status in ('planned', 'retrying') ` +
        `and next_attempt_at <= ?${bounds.join('')} order by priority desc, next_attempt_at, id limit ?${lock}) ` +
        `returning ${RETURNED}`,
      [options.owner, now + options.leaseMs, now, options.channel, now, ...bound, options.limit],
      'all',
    );
    return rows.map(toRow);
  }

  /**
   * Moves a claimed delivery to `sending`, right before the provider call: one statement. The
   * attempt is recorded with its outcome, or by {@link recoverExpired} when the process died
   * during the call.
   * @returns the attempt, or `null` when the lease was lost (another dispatcher owns it now).
   */
  async startAttempt(row: DeliveryRow, owner: string, leaseMs: number): Promise<StartedAttempt | null> {
    const now = this.now();
    const changed = affected(
      await this.em().execute(
        `update delivery set status = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ? ` +
          `where id = ? and status = 'claimed' and lease_owner = ?`,
        [now + leaseMs, now, row.id, owner],
        'run',
      ),
    );
    if (changed === 0) return null;
    return { id: uuidv7(), attempt: row.attempts + 1, startedAt: now };
  }

  /**
   * Records how an attempt ended together with the delivery's new state: on PostgreSQL in one
   * statement (the update in a data-modifying `with`), on SQLite in one transaction of two (in
   * process, no round trips).
   */
  private async finish(
    row: DeliveryRow,
    attempt: StartedAttempt,
    outcome: AttemptOutcome,
    reason: string | null,
    update: { sql: string; params: unknown[] },
  ): Promise<void> {
    const record = {
      sql:
        `insert into delivery_attempt (id, comune, delivery_id, attempt, started_at, finished_at, outcome, reason) ` +
        `values (?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        attempt.id,
        row.comune,
        row.id,
        attempt.attempt,
        attempt.startedAt,
        this.now(),
        outcome,
        reason,
      ],
    };
    if (this.driver === 'postgresql') {
      await this.em().execute(
        `with changed as (${update.sql}) ${record.sql}`,
        [...update.params, ...record.params],
        'run',
      );
      return;
    }
    await this.commitTogether([update, record]);
  }

  /**
   * Runs `statements` in one transaction on SQLite, grouped with those of the outcomes recorded
   * meanwhile: the first goes at once, those that arrive while its transaction runs share the next
   * one (a fan-out's outcomes take a transaction per handful, not one each). Each caller returns
   * once its own statements are committed; should a group fail, each of its members is retried
   * alone, so one failure is only its own.
   */
  private commitTogether(statements: readonly Statement[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.toCommit.push({ statements, resolve, reject });
      this.committing ??= this.commitQueued();
    });
  }

  private async commitQueued(): Promise<void> {
    try {
      while (this.toCommit.length > 0) {
        const group = this.toCommit.splice(0, COMMIT_GROUP);
        try {
          await this.runInTransaction(group.flatMap((item) => item.statements));
          for (const item of group) item.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const item of group) {
            await this.runInTransaction(item.statements).then(item.resolve, item.reject);
          }
        }
      }
    } finally {
      this.committing = undefined;
    }
  }

  private runInTransaction(statements: readonly Statement[]): Promise<void> {
    return this.em().transactional(async (tx) => {
      for (const statement of statements) await tx.execute(statement.sql, statement.params, 'run');
    });
  }

  /** Records the provider's acceptance (also over an `uncertain` mark made while the call was in flight). */
  markSent(row: DeliveryRow, attempt: StartedAttempt, providerMessageId: string): Promise<void> {
    const now = this.now();
    return this.finish(row, attempt, 'sent', null, {
      sql:
        `update delivery set status = 'sent', sent_at = ?, provider_message_id = ?, lease_owner = null, ` +
        `lease_until = null, last_error = null, updated_at = ? where id = ? and status in ('sending', 'uncertain')`,
      params: [now, providerMessageId.slice(0, 200), now, row.id],
    });
  }

  /**
   * The answer was lost after the request was sent, on a channel where a repeat would reach the
   * person twice: the delivery waits for staff (`uncertain`), who can replay it.
   */
  markUncertain(row: DeliveryRow, attempt: StartedAttempt, reason: string): Promise<void> {
    const now = this.now();
    return this.finish(row, attempt, 'uncertain', reason.slice(0, 500), {
      sql:
        `update delivery set status = 'uncertain', last_error = ?, lease_owner = null, lease_until = null, ` +
        `updated_at = ? where id = ? and status = 'sending'`,
      params: [reason.slice(0, 500), now, row.id],
    });
  }

  /**
   * Extends every lease `owner` holds (claimed or sending) to `leaseMs` from now: a dispatcher that
   * is alive keeps its deliveries; one that died lets them go when its leases run out.
   * @returns how many leases were renewed
   */
  async renewLeases(owner: string, leaseMs: number): Promise<number> {
    const now = this.now();
    return affected(
      await this.em().execute(
        `update delivery set lease_until = ? where status in ('claimed', 'sending') and lease_owner = ?`,
        [now + leaseMs, owner],
        'run',
      ),
    );
  }

  /** Deliveries by channel and state, for metrics. */
  async totals(): Promise<Array<{ channel: ChannelName; status: DeliveryStatus; count: number }>> {
    const rows = await this.em().execute<Record<string, unknown>[]>(
      `select channel, status, count(*) as n from delivery group by channel, status`,
      [],
      'all',
    );
    return rows.map((row) => ({
      channel: String(row.channel) as ChannelName,
      status: String(row.status) as DeliveryStatus,
      count: Number(row.n),
    }));
  }

  /** Deliveries waiting to be sent (planned or retrying), by channel and lane, and the oldest one's age. */
  async backlog(): Promise<Array<{ channel: ChannelName; lane: number; count: number; oldestMs: number }>> {
    const now = this.now();
    const rows = await this.em().execute<Record<string, unknown>[]>(
      `select channel, case when priority >= ? then 0 when priority >= ? then 1 else 2 end as lane, ` +
        `count(*) as n, min(created_at) as oldest from delivery ` +
        `where status in ('planned', 'retrying', 'claimed') group by channel, lane`,
      [LANE_PRIORITY.critical, LANE_PRIORITY.interactive],
      'all',
    );
    return rows.map((row) => ({
      channel: String(row.channel) as ChannelName,
      lane: Number(row.lane),
      count: Number(row.n),
      oldestMs: Math.max(0, now - Number(row.oldest)),
    }));
  }

  /** A retryable failure: due again after `delayMs`. */
  markRetry(row: DeliveryRow, attempt: StartedAttempt, reason: string, delayMs: number): Promise<void> {
    const now = this.now();
    return this.finish(row, attempt, 'retryable', reason.slice(0, 500), {
      sql:
        `update delivery set status = 'retrying', next_attempt_at = ?, last_error = ?, lease_owner = null, ` +
        `lease_until = null, updated_at = ? where id = ? and status = 'sending'`,
      params: [now + delayMs, reason.slice(0, 500), now, row.id],
    });
  }

  /** Gives up: the delivery joins the dead-letter list. */
  markDead(
    row: DeliveryRow,
    attempt: StartedAttempt,
    outcome: AttemptOutcome,
    reason: string,
  ): Promise<void> {
    const now = this.now();
    return this.finish(row, attempt, outcome, reason.slice(0, 500), {
      sql:
        `update delivery set status = 'dead', last_error = ?, lease_owner = null, lease_until = null, ` +
        `updated_at = ? where id = ? and status = 'sending'`,
      params: [reason.slice(0, 500), now, row.id],
    });
  }

  /**
   * Hands leased deliveries that were never sent back, due at `dueAt` (now by default): a dispatcher
   * stopping, or a channel whose circuit just opened.
   */
  async release(ids: readonly string[], owner: string, dueAt = this.now()): Promise<void> {
    if (ids.length === 0) return;
    const now = this.now();
    await this.em().execute(
      `update delivery set status = case when attempts = 0 then 'planned' else 'retrying' end, ` +
        `next_attempt_at = ?, lease_owner = null, lease_until = null, updated_at = ? ` +
        `where status = 'claimed' and lease_owner = ? and id in (${ids.map(() => '?').join(', ')})`,
      [dueAt, now, owner, ...ids],
      'run',
    );
  }

  /**
   * Cleans up after dispatchers that died. A `claimed` delivery whose lease ran out was never handed
   * to a provider: it is due again. A `sending` one may or may not have reached the provider:
   * channels in `resendable` (email, whose Message-ID is derived from the delivery id so a resend is
   * recognisable as the same message) are retried; the others become `uncertain` (at most once).
   * The interrupted call is recorded as an attempt with that outcome. With nothing to recover, two
   * statements and no transaction.
   * @returns how many deliveries were recovered and how many became uncertain.
   */
  async recoverExpired(resendable: readonly ChannelName[]): Promise<{ released: number; uncertain: number }> {
    const now = this.now();
    const em = this.em();
    const released = affected(
      await em.execute(
        `update delivery set status = case when attempts = 0 then 'planned' else 'retrying' end, ` +
          `lease_owner = null, lease_until = null, updated_at = ? where status = 'claimed' and lease_until < ?`,
        [now, now],
        'run',
      ),
    );
    const stuck = await em.execute<Record<string, unknown>[]>(
      `select id, comune, channel, attempts, updated_at from delivery where status = 'sending' and lease_until < ?`,
      [now],
      'all',
    );
    if (stuck.length === 0) return { released, uncertain: 0 };
    return em.transactional(async (tx) => {
      let resent = 0;
      let uncertain = 0;
      for (const row of stuck) {
        const resend = resendable.includes(String(row.channel) as ChannelName);
        const outcome: AttemptOutcome = resend ? 'resend' : 'uncertain';
        const reason = resend
          ? 'interrupted while sending; resent with the same Message-ID'
          : 'interrupted while sending; the provider may or may not have it';
        const changed = affected(
          await tx.execute(
            `update delivery set status = ?, last_error = ?, lease_owner = null, lease_until = null, ` +
              `next_attempt_at = ?, updated_at = ? where id = ? and status = 'sending'`,
            [resend ? 'retrying' : 'uncertain', reason, now, now, row.id],
            'run',
          ),
        );
        if (changed === 0) continue;
        // An attempt opened before the call (by an earlier version) is closed; else it is recorded.
        const closed = affected(
          await tx.execute(
            `update delivery_attempt set finished_at = ?, outcome = ?, reason = ? ` +
              `where delivery_id = ? and finished_at is null`,
            [now, outcome, reason, row.id],
            'run',
          ),
        );
        if (closed === 0) {
          await tx.execute(
            `insert into delivery_attempt (id, comune, delivery_id, attempt, started_at, finished_at, outcome, reason) ` +
              `values (?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              uuidv7(),
              row.comune,
              row.id,
              Number(row.attempts),
              Number(row.updated_at),
              now,
              outcome,
              reason,
            ],
            'run',
          );
        }
        if (resend) resent += 1;
        else uncertain += 1;
      }
      return { released: released + resent, uncertain };
    });
  }

  /**
   * What comes up next, per channel, in one statement: when its earliest waiting delivery (planned
   * or retrying) is due, and when the earliest lease of another dispatcher than `owner` runs out.
   * Channels with neither are left out.
   */
  async upcoming(owner: string): Promise<Map<ChannelName, { dueAt?: number; leaseEndsAt?: number }>> {
    const rows = await this.em().execute<Record<string, unknown>[]>(
      `select channel, min(case when status in ('planned', 'retrying') then next_attempt_at end) as due_at, ` +
        `min(case when status in ('claimed', 'sending') and lease_owner <> ? then lease_until end) as lease_ends_at ` +
        `from delivery where status in ('planned', 'retrying', 'claimed', 'sending') group by channel`,
      [owner],
      'all',
    );
    const result = new Map<ChannelName, { dueAt?: number; leaseEndsAt?: number }>();
    for (const row of rows) {
      const dueAt = row.due_at === null || row.due_at === undefined ? undefined : Number(row.due_at);
      const leaseEndsAt =
        row.lease_ends_at === null || row.lease_ends_at === undefined ? undefined : Number(row.lease_ends_at);
      if (dueAt === undefined && leaseEndsAt === undefined) continue;
      result.set(String(row.channel) as ChannelName, {
        ...(dueAt !== undefined ? { dueAt } : {}),
        ...(leaseEndsAt !== undefined ? { leaseEndsAt } : {}),
      });
    }
    return result;
  }

  /**
   * Puts every uncertain delivery of an event (on one channel, or all) back in the queue with a
   * fresh attempt budget: staff checked with the provider, or accept that some may arrive twice.
   * @returns how many were requeued
   */
  async replayUncertain(eventId: string, comune: string, channel?: ChannelName): Promise<number> {
    const now = this.now();
    return affected(
      await this.em().execute(
        `update delivery set status = 'retrying', attempts = 0, next_attempt_at = ?, updated_at = ? ` +
          `where event_id = ? and comune = ? and status = 'uncertain'${channel === undefined ? '' : ' and channel = ?'}`,
        channel === undefined ? [now, now, eventId, comune] : [now, now, eventId, comune, channel],
        'run',
      ),
    );
  }

  /**
   * Puts a dead or uncertain delivery back in the queue with a fresh attempt budget.
   * @returns the event id of the delivery, or `null` when there is no such dead or uncertain delivery.
   */
  async replay(id: string, comune: string): Promise<string | null> {
    const now = this.now();
    const em = this.em();
    const rows = await em.execute<Record<string, unknown>[]>(
      `update delivery set status = 'retrying', attempts = 0, next_attempt_at = ?, updated_at = ? ` +
        `where id = ? and comune = ? and status in ('dead', 'uncertain') returning event_id`,
      [now, now, id, comune],
      'all',
    );
    return rows[0] ? String(rows[0].event_id) : null;
  }

  /** Counts per channel and state for each event. */
  async counts(
    eventIds: readonly string[],
    comune?: string,
  ): Promise<Map<string, Map<ChannelName, ChannelCounts>>> {
    const result = new Map<string, Map<ChannelName, ChannelCounts>>();
    if (eventIds.length === 0) return result;
    const rows = await this.em().execute<Record<string, unknown>[]>(
      `select event_id, channel, status, count(*) as n from delivery where event_id in (${eventIds
        .map(() => '?')
        .join(', ')})${comune === undefined ? '' : ' and comune = ?'} group by event_id, channel, status`,
      comune === undefined ? [...eventIds] : [...eventIds, comune],
      'all',
    );
    for (const row of rows) {
      const eventId = String(row.event_id);
      const channel = String(row.channel) as ChannelName;
      const n = Number(row.n);
      let byChannel = result.get(eventId);
      if (!byChannel) result.set(eventId, (byChannel = new Map()));
      let counts = byChannel.get(channel);
      if (!counts)
        byChannel.set(channel, (counts = { planned: 0, sent: 0, failed: 0, dead: 0, uncertain: 0 }));
      switch (String(row.status) as DeliveryStatus) {
        case 'sent':
          counts.sent += n;
          break;
        case 'retrying':
          counts.failed += n;
          break;
        case 'dead':
          counts.dead += n;
          break;
        case 'uncertain':
          counts.uncertain += n;
          break;
        default:
          counts.planned += n;
      }
    }
    return result;
  }
}
