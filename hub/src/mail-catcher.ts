import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface MailCatcher {
  /** SMTP port the notifier sends to. */
  port: number;
  /** Folder where every received message is written as an `.eml` file. */
  folder: string;
  received(): number;
  close(): Promise<void>;
}

/** Largest message the catcher accepts; the notifier's mails are far smaller. */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/**
 * The embedded mode's mailbox: a loopback SMTP server that writes each message it receives into a
 * folder, so a person trying the hub can open the emails citizens would get.
 */
export async function startMailCatcher(options: { folder: string; port: number }): Promise<MailCatcher> {
  await mkdir(options.folder, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        count += 1;
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${session.id}-${count}.eml`;
        writeFile(join(options.folder, name), Buffer.concat(chunks)).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    folder: options.folder,
    received: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
