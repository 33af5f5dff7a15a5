import { type PublicDataGenerations, UNNAMED_COMUNE } from './generations.js';

/** A public response as it is served again. */
export interface CachedResponse {
  /** The serialised GraphQL response, exactly as first sent. */
  body: string;
  contentType: string;
  /** Strong validator of `body`, quoted, e.g. `"3q2-7w"`. */
  etag: string;
  /** When it was computed (ms since the epoch): its age bounds how stale it may be. */
  storedAt: number;
}

interface Entry extends CachedResponse {
  comune: string;
  generation: number;
  bytes: number;
}

/** What the cache needs to know. */
export interface ResponseCacheOptions {
  /** Largest total of bodies and keys held, in bytes (UTF-16 code units counted as two). */
  maxBytes: number;
  /** Longest an entry is served after `storedAt`, in ms. */
  maxAgeMs: number;
  generations: PublicDataGenerations;
  /** @default Date.now */
  now?: () => number;
  /** Told the new total after every change, e.g. to feed a gauge. */
  onSize?: (bytes: number) => void;
}

/**
 * The shared cache of public responses: anonymous queries that came back without errors, by comune
 * and request. An entry is served until the first of: its comune's data changes on the bus
 * ({@link PublicResponseCache.invalidate}), `maxAgeMs` passes, or it is the least recently used
 * entry when the cache needs room.
 */
export class PublicResponseCache {
  // Map order is recency order: a hit moves the entry to the end, eviction starts at the front.
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private readonly now: () => number;

  constructor(private readonly options: ResponseCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The fresh entry for `key` of `comune`, if any. */
  get(comune: string, key: string): CachedResponse | undefined {
    const id = entryId(comune, key);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (
      entry.generation !== this.options.generations.current(comune) ||
      this.now() - entry.storedAt >= this.options.maxAgeMs
    ) {
      this.remove(id, entry);
      this.options.onSize?.(this.total);
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /**
   * Keeps a response computed from data of `generation` (read with `generations.current(comune)`
   * before the request ran). A response that started before a change is not kept: it may hold the
   * data the change replaced.
   * @returns whether it was kept
   */
  set(comune: string, key: string, generation: number, response: CachedResponse): boolean {
    if (generation !== this.options.generations.current(comune)) return false;
    const id = entryId(comune, key);
    const bytes = 2 * (id.length + response.body.length) + 200;
    if (bytes > this.options.maxBytes) return false;
    const previous = this.entries.get(id);
    if (previous) this.remove(id, previous);
    this.entries.set(id, { ...response, comune, generation, bytes });
    this.total += bytes;
    for (const [oldId, old] of this.entries) {
      if (this.total <= this.options.maxBytes) break;
      this.remove(oldId, old);
    }
    this.options.onSize?.(this.total);
    return true;
  }

  /**
   * Drops every entry of `comune` and of the unnamed comune (the subgraphs' default may be it).
   * Advance `generations` first, so responses computed before the change are not stored after it.
   * @returns how many entries were dropped
   */
  invalidate(comune: string): number {
    let dropped = 0;
    for (const [id, entry] of this.entries) {
      if (entry.comune === comune || entry.comune === UNNAMED_COMUNE) {
        this.remove(id, entry);
        dropped += 1;
      }
    }
    this.options.onSize?.(this.total);
    return dropped;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.total -= entry.bytes;
  }
}

function entryId(comune: string, key: string): string {
  return `${comune}\n${key}`;
}
