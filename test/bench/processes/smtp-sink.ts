/**
 * Worker thread of the notifier benchmark: the SMTP sink test peer (a real SMTP server that parses
 * every mail), off the sender's event loop. Posts `{ port }` once listening; answers `'count'` with
 * the number of mails received and `'close'` by closing.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { startSmtpSink } from '@sportello/test-support';

if (!isMainThread && parentPort) {
  const port = parentPort;
  const sink = await startSmtpSink();
  port.on('message', (message: 'count' | 'close') => {
    if (message === 'count') port.postMessage({ count: sink.mails.length });
    else void sink.close().then(() => port.close());
  });
  port.postMessage({ port: sink.port });
}
