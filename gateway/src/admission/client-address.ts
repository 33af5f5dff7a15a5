import { type IncomingMessage } from 'node:http';

/**
 * Which proxies in front of the gateway are trusted to say who the client is (`X-Forwarded-For`):
 * a number of hops (the last `hops` entries were appended by proxies of ours), or their addresses.
 * Nothing trusted: the client is the TCP peer, whatever the request says.
 */
export type TrustedProxies = { hops: number } | { addresses: ReadonlySet<string> };

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same peer. */
const plain = (address: string) => address.trim().replace(/^::ffff:/, '');

/**
 * The client's address as the trusted proxies saw it. `X-Forwarded-For` is read from the right:
 * each proxy appends the address it got the request from, so entries left of what our own proxies
 * wrote were written by the client and are never believed.
 */
export function clientAddress(req: IncomingMessage, proxies: TrustedProxies): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map(plain)
    .filter(Boolean);
  if ('hops' in proxies) {
    if (proxies.hops === 0 || forwarded.length === 0) return peer;
    // With one proxy, the client is the last entry it appended; with two, the one before, etc.
    return forwarded[Math.max(0, forwarded.length - proxies.hops)] ?? peer;
  }
  if (!proxies.addresses.has(peer)) return peer;
  for (let i = forwarded.length - 1; i >= 0; i -= 1) {
    if (!proxies.addresses.has(forwarded[i]!)) return forwarded[i]!;
  }
  return forwarded[0] ?? peer;
}
