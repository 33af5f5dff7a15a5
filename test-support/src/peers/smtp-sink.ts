import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One mail the sink accepted: the SMTP envelope and the parsed message. */
export interface ReceivedMail {
  envelope: { from: string | undefined; to: string[] };
  /** The raw message as received, for header-level assertions. */
  raw: string;
  parsed: ParsedMail;
}

/** A reply the sink gives at RCPT TO for a chosen recipient. */
export interface SmtpRejection {
  /** A 4xx (try later) or 5xx (never) reply code. */
  code: number;
  /** Reply text, e.g. `5.1.1 mailbox unavailable`. */
  message?: string;
}

/** Options of {@link startSmtpSink}. */
export interface SmtpSinkOptions {
  /** Require AUTH PLAIN/LOGIN with these credentials (plain text is allowed on loopback). */
  auth?: { user: string; pass: string };
  /** Largest accepted message in bytes. @default 10 MiB */
  maxSize?: number;
}

/** A running SMTP sink. */
export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** Mails accepted so far, in arrival order. */
  readonly mails: readonly ReceivedMail[];
  /** Peak number of simultaneous client connections (to check pooling). */
  readonly maxConcurrentConnections: number;
  /** Answers RCPT TO for `address` with `rejection` until {@link SmtpSink.accept} is called for it. */
  reject(address: string, rejection: SmtpRejection): void;
  /** Accepts `address` again. */
  accept(address: string): void;
  /**
   * The next `count` mails are stored, then answered `451` as if the server had failed: the sender
   * thinks it was not taken (an answer lost after acceptance).
   */
  loseAnswers(count: number): void;
  /**
   * Holds the final answer to every mail received from now on (a relay slow to answer) until the
   * returned function is called; the mails count as received meanwhile.
   */
  holdAnswers(): () => void;
  /** Resolves once at least `count` mails were received. */
  waitForMails(count: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * Starts a real SMTP server on loopback that parses every mail it receives. STARTTLS is not offered
 * (loopback only); recipients can be told to be refused with any reply code.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const rejections = new Map<string, SmtpRejection>();
  const waiters = new Set<() => void>();
  let connections = 0;
  let maxConcurrentConnections = 0;
  let answersToLose = 0;
  let held: Promise<void> | undefined;

  const server = new SMTPServer({
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    size: options.maxSize ?? 10 * 1024 * 1024,
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      maxConcurrentConnections = Math.max(maxConcurrentConnections, connections);
      callback();
    },
    onClose() {
      connections -= 1;
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
        return;
      }
      const error = Object.assign(new Error('5.7.8 Authentication credentials invalid'), {
        responseCode: 535,
      });
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      const rejection = rejections.get(address.address.toLowerCase());
      if (!rejection) {
        callback();
        return;
      }
      const text =
        rejection.message ?? (rejection.code >= 500 ? '5.1.1 mailbox unavailable' : '4.2.1 try again later');
      callback(Object.assign(new Error(text), { responseCode: rejection.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom;
            mails.push({
              envelope: {
                from: from ? from.address : undefined,
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw: raw.toString('utf8'),
              parsed,
            });
            for (const wake of waiters) wake();
            return held;
          })
          .then(() => {
            if (answersToLose > 0) {
              answersToLose -= 1;
              callback(Object.assign(new Error('4.3.0 temporary failure'), { responseCode: 451 }));
              return;
            }
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });

  // A client that dies mid-session (a killed process) resets its connection; a real server logs that
  // and carries on, while an unhandled 'error' event would bring the test process down.
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    mails,
    get maxConcurrentConnections() {
      return maxConcurrentConnections;
    },
    reject(address, rejection) {
      if (rejection.code < 400 || rejection.code > 599)
        throw new Error(`reply code must be 4xx or 5xx, got ${rejection.code}`);
      rejections.set(address.toLowerCase(), rejection);
    },
    accept(address) {
      rejections.delete(address.toLowerCase());
    },
    loseAnswers(count) {
      answersToLose = count;
    },
    holdAnswers() {
      let release!: () => void;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held = undefined;
        release();
      };
    },
    async waitForMails(count, timeoutMs = 10_000) {
      if (mails.length >= count) return mails;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP sink: expected ${count} mails, got ${mails.length} in ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (): void => {
          if (mails.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
      return mails;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
