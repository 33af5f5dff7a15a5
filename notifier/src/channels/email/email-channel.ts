import nodemailer from 'nodemailer';
import {
  delivered,
  failed,
  wrongRecipient,
  type Channel,
  type OutgoingMessage,
  type SendResult,
} from '../channel.js';
import type { RateLimiter } from '../../pacing/rate-limiter.js';
import { createLaneSlots } from '../lanes.js';
import { classifySmtpError } from './classify-smtp-error.js';

/** SMTP settings of the email channel. */
export interface EmailChannelConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when offered. @default false */
  secure?: boolean;
  /** Never upgrade with STARTTLS (local catchers). @default false */
  ignoreTls?: boolean;
  auth?: { user: string; pass: string };
  /** Sender, e.g. `"Comune di Esempio" <noreply@comune.example.it>`. */
  from: string;
  /** Domain used in generated Message-IDs. @default the domain of `from` */
  messageIdDomain?: string;
  /** Parallel SMTP connections of the pool. @default 5 */
  maxConnections?: number;
  /**
   * Connections kept for alerts (the critical lane) on top of `maxConnections`: an alert never
   * waits for a connection busy with other mail. @default 1
   */
  criticalConnections?: number;
  /** Messages sent over one connection before it is recycled. @default 100 */
  maxMessagesPerConnection?: number;
  /** Socket inactivity timeout. @default 30000 */
  socketTimeoutMs?: number;
}

/** Optional collaborators of the email channel. */
export interface EmailChannelDeps {
  /** Paces sends (keyed by nothing: one SMTP relay). */
  limiter?: RateLimiter;
}

/** The email channel; `close()` drains and closes the SMTP pool. */
export interface EmailChannel extends Channel {
  readonly name: 'email';
  close(): Promise<void>;
}

/**
 * A Message-ID derived from the delivery id: a resend of the same delivery carries the same id, so
 * receiving systems (and people reading headers) can tell it is the same message.
 */
export function messageIdFor(deliveryId: string, domain: string): string {
  const local = deliveryId.replace(/[^A-Za-z0-9._-]/g, '-');
  return `<${local}.delivery@${domain}>`;
}

function domainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)/.exec(from);
  if (!match?.[1]) throw new Error(`email channel: cannot derive a Message-ID domain from "from" (${from})`);
  return match[1];
}

/**
 * Creates the email channel over pooled SMTP transports: `maxConnections` for every lane and
 * `criticalConnections` more for alerts alone. The channel hands a pool no more messages than it
 * has connections, so nothing queues inside the transport in arrival order: the channel's own queue
 * gives a free connection to an alert first, then to interactive mail, then to bulk mail, and an
 * alert finds a connection of its own free however many reminders are in hand. Does not connect
 * until the first send.
 * @throws Error when no Message-ID domain can be derived.
 */
export function createEmailChannel(config: EmailChannelConfig, deps: EmailChannelDeps = {}): EmailChannel {
  const domain = config.messageIdDomain ?? domainOf(config.from);
  const maxConnections = config.maxConnections ?? 5;
  const criticalConnections = config.criticalConnections ?? 1;
  const pool = (connections: number) =>
    nodemailer.createTransport({
      pool: true,
      host: config.host,
      port: config.port,
      secure: config.secure ?? false,
      ignoreTLS: config.ignoreTls ?? false,
      ...(config.auth ? { auth: config.auth } : {}),
      maxConnections: connections,
      maxMessages: config.maxMessagesPerConnection ?? 100,
      socketTimeout: config.socketTimeoutMs ?? 30_000,
      // Never log message bodies or addresses.
      logger: false,
      debug: false,
    });
  const transport = pool(maxConnections);
  const alertTransport = criticalConnections > 0 ? pool(criticalConnections) : undefined;
  const connections = createLaneSlots({ shared: maxConnections, reserved: criticalConnections });

  async function send(message: OutgoingMessage): Promise<SendResult> {
    if (message.recipient.channel !== 'email') return wrongRecipient('email', message.recipient);
    const headers: Record<string, string> = {};
    if (message.listUnsubscribeUrl) {
      // RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs to the URL.
      headers['List-Unsubscribe'] = `<${message.listUnsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      await deps.limiter?.acquire();
      const connection = await connections.acquire(message.lane);
      try {
        const info = await (connection.reserved ? alertTransport! : transport).sendMail({
          from: config.from,
          to: message.recipient.address,
          subject: message.subject,
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
          messageId: messageIdFor(message.deliveryId, domain),
          headers: { ...headers, 'Content-Language': message.language },
        });
        return delivered(info.messageId);
      } finally {
        connection.release();
      }
    } catch (error) {
      return failed(classifySmtpError(error));
    }
  }

  return {
    name: 'email',
    send,
    async close() {
      transport.close();
      alertTransport?.close();
    },
  };
}
