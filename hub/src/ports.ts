import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';

/** Free loopback ports held by this process until each is handed to the server that will use it. */
export interface PortReservation {
  ports: number[];
  /** Lets go of `port` (a no-op if it was not reserved or is already released): listen on it next. */
  release(port: number): Promise<void>;
  releaseAll(): Promise<void>;
}

/** How many random picks to try before giving up on the range below the ephemeral ports. */
const ATTEMPTS = 200;

/**
 * Reserves `count` distinct free loopback ports and holds them (listening) until released, so none
 * is handed out twice and nobody else binds one while the hub seeds its data.
 *
 * On Linux the ports come from below the kernel's ephemeral range (`ip_local_port_range`): outgoing
 * connections and `listen(0)` elsewhere on the machine take their ports from that range, so a port
 * reserved here cannot be taken by them in the instant between its release and its use. Elsewhere
 * (or with no room below the range) the kernel picks them.
 */
export async function reservePorts(count: number): Promise<PortReservation> {
  const held = new Map<number, Server>();
  const below = await rangeBelowEphemeral();
  try {
    for (let attempt = 0; held.size < count; attempt++) {
      const wanted =
        below && attempt < ATTEMPTS ? below.low + Math.floor(Math.random() * (below.high - below.low)) : 0;
      if (wanted !== 0 && held.has(wanted)) continue;
      const server = await listen(wanted);
      if (server) held.set(portOf(server), server);
      else if (wanted === 0) throw new Error('no free loopback port');
    }
  } catch (error) {
    await Promise.all([...held.values()].map(close));
    throw error;
  }
  const release = async (port: number) => {
    const server = held.get(port);
    if (!server) return;
    held.delete(port);
    await close(server);
  };
  return {
    ports: [...held.keys()],
    release,
    releaseAll: async () => {
      await Promise.all([...held.keys()].map(release));
    },
  };
}

/** The unprivileged ports below the ephemeral range, or `undefined` where it is unknown or too small. */
async function rangeBelowEphemeral(): Promise<{ low: number; high: number } | undefined> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => undefined);
  const ephemeralLow = Number(text?.trim().split(/\s+/)[0]);
  if (!Number.isInteger(ephemeralLow)) return undefined;
  const low = Math.max(1024, ephemeralLow - 16_384);
  return ephemeralLow - low >= 1_000 ? { low, high: ephemeralLow } : undefined;
}

/** A server listening on `port` of loopback, or `null` when the port is taken. */
function listen(port: number): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(null) : reject(error),
    );
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port assigned');
  return address.port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
