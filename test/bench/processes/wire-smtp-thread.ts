/**
 * Worker thread of the lanes benchmark: the SMTP server the hub's notifier sends to, off the hub's
 * event loop, noting when each message arrived at the wire (the end of its DATA, before the answer).
 * Times are epoch milliseconds with sub-millisecond precision (`performance.timeOrigin +
 * performance.now()`), comparable across threads. Posts `{ port }` once listening; answers
 * `'times'` with `{ times: [messageId, at][] }` and `'close'` by closing.
 */
import { parentPort } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

if (parentPort) {
  const port = parentPort;
  /** Message-ID (without angle brackets) to arrival time. */
  const arrivals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        // The headers are enough: they come first.
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const at = performance.timeOrigin + performance.now();
        const id = /^message-id:\s*<([^>]+)>/im.exec(head)?.[1];
        if (id !== undefined && !arrivals.has(id)) arrivals.set(id, at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port.on('message', (message: 'times' | 'close') => {
    if (message === 'times') port.postMessage({ times: [...arrivals] });
    else server.close(() => port.close());
  });
  const address = server.server.address();
  port.postMessage({ port: typeof address === 'object' && address ? address.port : 0 });
}
