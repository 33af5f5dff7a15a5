/**
 * A consumer as a real process for the NATS recovery test: consumes a durable consumer and prints
 * `handling <event id>` when its handler starts, then never finishes it. The parent kills it with
 * SIGKILL, as a crash would, and checks how soon the event is handed to the next process.
 */
import { createNatsBus } from '../nats-bus.js';

interface ChildConfig {
  servers: string;
  stream: string;
  root: string;
  name: string;
  ackWaitMs: number;
  lanes: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const bus = await createNatsBus({ servers: config.servers, stream: config.stream, subjectRoot: config.root });
await bus.consume(
  {
    name: config.name,
    subjects: [`${config.root}.>`],
    ackWaitMs: config.ackWaitMs,
    lanes: config.lanes,
    concurrency: 4,
  },
  (event) => {
    process.stdout.write(`handling ${event.id}\n`);
    return new Promise<void>(() => {});
  },
);
process.stdout.write('ready\n');
