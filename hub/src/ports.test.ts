import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { reservePorts, type PortReservation } from './ports.js';

const reservations: PortReservation[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(reservations.splice(0).map((reservation) => reservation.releaseAll()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listens on `port` of loopback; resolves with the error code when it is taken. */
function tryListen(port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve('listening');
    });
  });
}

describe('reservePorts (PORT=0)', () => {
  it('holds distinct ports until each is released, then it is free for the server meant to use it', async () => {
    const reservation = await reservePorts(7);
    reservations.push(reservation);
    expect(new Set(reservation.ports).size).toBe(7);

    for (const port of reservation.ports) expect(await tryListen(port)).toBe('EADDRINUSE');

    const [first, ...rest] = reservation.ports;
    await reservation.release(first!);
    expect(await tryListen(first!)).toBe('listening');
    for (const port of rest) expect(await tryListen(port)).toBe('EADDRINUSE');

    await reservation.releaseAll();
    for (const port of rest) expect(await tryListen(port)).toBe('listening');
  });

  it('takes its ports below the ephemeral range, where outgoing connections and listen(0) never land', async () => {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => null);
    if (range === null) return; // Not Linux: the kernel picks the ports.
    const ephemeralLow = Number(range.trim().split(/\s+/)[0]);
    const reservation = await reservePorts(9);
    reservations.push(reservation);
    for (const port of reservation.ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(ephemeralLow);
    }
  });

  it('never hands out a port someone else is listening on', async () => {
    const first = await reservePorts(50);
    reservations.push(first);
    const second = await reservePorts(50);
    reservations.push(second);
    const overlap = first.ports.filter((port) => second.ports.includes(port));
    expect(overlap).toEqual([]);
  });
});
