/**
 * The comune of an anonymous request that names none (`x-comune` absent): the subgraphs answer for
 * their configured default, which the gateway does not know, so any change may concern it.
 */
export const UNNAMED_COMUNE = '';

/**
 * Change counters of public data, one per comune. A response or a subgraph fetch belongs to the
 * generation its comune was at when it started: once the bus says the comune's data changed, what
 * was read before is neither stored nor shared with requests that start after the change.
 */
export class PublicDataGenerations {
  private readonly byComune = new Map<string, number>();

  /** The generation public data of `comune` is at now (`UNNAMED_COMUNE` for the subgraphs' default). */
  current(comune: string): number {
    return this.byComune.get(comune) ?? 0;
  }

  /** Records that `comune`'s public data changed; the unnamed comune may be that one, so it moves too. */
  changed(comune: string): void {
    this.byComune.set(comune, this.current(comune) + 1);
    if (comune !== UNNAMED_COMUNE) this.byComune.set(UNNAMED_COMUNE, this.current(UNNAMED_COMUNE) + 1);
  }
}
