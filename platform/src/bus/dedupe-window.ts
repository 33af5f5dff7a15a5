/** Options of the in-process de-duplication window; memory stays bounded by both limits. */
export interface DedupeWindowOptions {
  /** How long an event id is remembered. @default 120_000 (the JetStream default) */
  windowMs?: number;
  /** How many event ids are remembered at most; the oldest are forgotten first. @default 10_000 */
  maxIds?: number;
  /** Clock, replaceable so the window can be tested without waiting. @default Date.now */
  now?: () => number;
}

/**
 * Remembers recently seen event ids, like JetStream's duplicate window: an id is a duplicate while it
 * is among the last `maxIds` ids and younger than `windowMs`.
 */
export class DedupeWindow {
  /** Insertion order is age order, so the oldest id is always the first key. */
  private readonly seenAt = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxIds: number;
  private readonly now: () => number;

  constructor(options: DedupeWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 120_000;
    this.maxIds = options.maxIds ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.windowMs > 0)) throw new Error(`dedupe windowMs must be positive, got ${this.windowMs}`);
    if (!Number.isInteger(this.maxIds) || this.maxIds < 1) {
      throw new Error(`dedupe maxIds must be a positive integer, got ${this.maxIds}`);
    }
  }

  /** How many ids are remembered right now (never more than `maxIds`). */
  get size(): number {
    this.evict();
    return this.seenAt.size;
  }

  has(id: string): boolean {
    this.evict();
    return this.seenAt.has(id);
  }

  add(id: string): void {
    this.seenAt.delete(id);
    this.seenAt.set(id, this.now());
    this.evict();
  }

  private evict(): void {
    const oldest = this.now() - this.windowMs;
    for (const [id, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxIds && at > oldest) break;
      this.seenAt.delete(id);
    }
  }
}
