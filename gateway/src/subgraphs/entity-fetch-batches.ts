/** What the query plan reads of a subgraph's answer. */
export interface EntitiesResponse {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ path?: ReadonlyArray<string | number>; [key: string]: unknown }>;
  extensions?: Record<string, unknown>;
}

interface Waiting {
  representations: unknown[];
  send: (representations: unknown[]) => Promise<EntitiesResponse>;
  resolve(response: EntitiesResponse): void;
  reject(error: unknown): void;
}

/**
 * `_entities` fetches to one subgraph that differ only in their representations, asked for in the
 * same tick, go out as one: the representations of all of them in one request, and the answer's
 * `_entities` (and the errors pointing into it) split back, each fetch getting its own share in its
 * own order. Errors of the request as a whole reach every fetch. At most `maxFetches` fetches go
 * together; the others make the next request.
 */
export class EntityFetchBatches {
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(private readonly maxFetches: number) {}

  /**
   * Sends `representations` with the other fetches of `key` this tick, through the `send` of the
   * first of them (the key says what makes them the same request: document, variables, headers).
   */
  fetch(
    key: string,
    representations: unknown[],
    send: (representations: unknown[]) => Promise<EntitiesResponse>,
  ): Promise<EntitiesResponse> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push({ representations, send, resolve, reject });
        if (queue.length >= this.maxFetches) this.flush(key);
        return;
      }
      this.waiting.set(key, [{ representations, send, resolve, reject }]);
      setImmediate(() => this.flush(key));
    });
  }

  private flush(key: string): void {
    const batch = this.waiting.get(key);
    if (!batch) return;
    this.waiting.delete(key);
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      only.send(only.representations).then(only.resolve, only.reject);
      return;
    }
    const all = batch.flatMap((each) => each.representations);
    batch[0]!.send(all).then(
      (response) => {
        let offset = 0;
        for (const each of batch) {
          each.resolve(share(response, offset, each.representations.length));
          offset += each.representations.length;
        }
      },
      (error: unknown) => {
        for (const each of batch) each.reject(error);
      },
    );
  }
}

/** The part of a merged answer that belongs to the fetch of `count` representations at `offset`. */
function share(response: EntitiesResponse, offset: number, count: number): EntitiesResponse {
  const { data, errors, extensions } = response;
  const entities = data?.['_entities'];
  const own = errors
    ?.filter((error) => {
      const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
      return typeof index !== 'number' || (index >= offset && index < offset + count);
    })
    .map((error) =>
      error.path?.[0] === '_entities' && typeof error.path[1] === 'number'
        ? { ...error, path: ['_entities', error.path[1] - offset, ...error.path.slice(2)] }
        : { ...error },
    );
  return {
    data:
      data == null || !Array.isArray(entities)
        ? (data ?? null)
        : { ...data, _entities: entities.slice(offset, offset + count) },
    ...(own && own.length > 0 ? { errors: own } : {}),
    ...(extensions ? { extensions } : {}),
  };
}
