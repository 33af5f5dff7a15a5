/**
 * The SMTP server of a benchmark, in a worker thread: the hub sends its mail to it as it would to
 * an external mail server, so receiving and storing messages is not counted on the hub's loop.
 * The thread posts `{ port }` once listening and closes the server when told `'close'`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startMailCatcher } from '@sportello/hub';

const catcher = await startMailCatcher({ folder: (workerData as { folder: string }).folder, port: 0 });
parentPort?.on('message', (message) => {
  if (message === 'close') void catcher.close().then(() => parentPort?.close());
});
parentPort?.postMessage({ port: catcher.port });
