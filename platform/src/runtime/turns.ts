import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Turn-taking on the event loop for work that would otherwise run without letting I/O in: SQLite
 * statements under libsql are synchronous, and in the embedded hub every service shares one loop.
 *
 * Work done for a request someone is waiting on (an HTTP request served by a service server, an
 * outbox relay round that subscribers wait for) is foreground: it waits one turn of the loop, so
 * sockets are read in between. Everything else (bus consumers, the notifier's dispatcher, jobs) is
 * background: background waiters go one per turn, first come first served, so however many of them
 * there are, a request's next step waits behind at most one of their statements, not one of each.
 * Background work never starves: one of it runs every turn.
 */
const foreground = new AsyncLocalStorage<true>();
const background: (() => void)[] = [];
let releasing = false;

function releaseOne(): void {
  background.shift()?.();
  if (background.length > 0) setImmediate(releaseOne);
  else releasing = false;
}

/** Runs `work` (and everything it starts) as foreground work. */
export function inForeground<T>(work: () => T): T {
  return foreground.run(true, work);
}

/** Resolves at this caller's next turn on the event loop (see the module comment). */
export function nextTurn(): Promise<void> {
  if (foreground.getStore() === true) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    background.push(resolve);
    if (!releasing) {
      releasing = true;
      setImmediate(releaseOne);
    }
  });
}
