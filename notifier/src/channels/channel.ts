import type { Lane } from '@sportello/schema';

/**
 * The one boundary between the notifier core and a delivery channel. The core records deliveries
 * and decides when to retry; an adapter only turns one rendered message into one provider call and
 * says, as data, what happened.
 */

/** The channels the notifier can deliver on. */
export type ChannelName = 'email' | 'telegram' | 'io';

/** Languages the templates are written in. */
export type Language = 'it' | 'en' | 'de';

/** Who receives a message, in the terms of the channel that carries it. */
export type Recipient =
  | { channel: 'email'; address: string }
  | { channel: 'telegram'; chatId: number | string }
  | { channel: 'io'; fiscalCode: string };

/** A pagoPA notice attached to a message (App IO shows a "pay" button for it). */
export interface PaymentNotice {
  /** Amount in euro cents, 1..9999999999. */
  amountCents: number;
  /** The 18-digit pagoPA notice number (numero avviso). */
  noticeNumber: string;
  /** When true the notice cannot be paid after `dueDate`. @default false */
  invalidAfterDueDate?: boolean;
  /** 11-digit fiscal code of the creditor, when it is not the sending service's organisation. */
  payeeFiscalCode?: string;
}

/**
 * A rendered message for one recipient on one channel. Each adapter reads the parts it needs:
 * email uses `subject`, `text`, `html`; Telegram uses `markdownV2` (or escapes `text`); App IO
 * uses `subject`, `markdown`, `payment` and `dueDate`.
 */
export interface OutgoingMessage {
  /**
   * Stable id of the delivery (one per event, recipient and channel). Adapters derive provider-side
   * idempotency from it (the email Message-ID), so a resend of the same delivery is recognisable.
   */
  deliveryId: string;
  /** ISTAT code of the comune the message is sent for (selects per-comune credentials). */
  comune: string;
  recipient: Recipient;
  language: Language;
  subject: string;
  /** Plain-text body; always present, the fallback for every channel. */
  text: string;
  /** HTML body for email, already escaped. */
  html?: string;
  /** Telegram MarkdownV2 body, already escaped. */
  markdownV2?: string;
  /** App IO markdown body. */
  markdown?: string;
  payment?: PaymentNotice;
  /** A date the recipient can set a reminder for (App IO `due_date`). */
  dueDate?: Date;
  /** One-click unsubscribe URL (RFC 8058) for email. */
  listUnsubscribeUrl?: string;
  /** Deliver without sound where the channel supports it (Telegram). @default false */
  silent?: boolean;
  /**
   * The lane of the delivery: what the channel holds in hand (connections, its share of the
   * provider's rate) goes to a `critical` message first, so an alert never waits behind bulk mail.
   * @default 'interactive'
   */
  lane?: Lane;
}

/** Why a send did not go through, as data the core can record and act on. */
export interface SendFailure {
  /**
   * `retryable`: the provider did not take the message; the same message may succeed later.
   * `permanent`: it never will. `uncertain`: the request reached the provider and its answer was
   * lost (a timeout, a broken connection, a 5xx after sending): it may or may not have been
   * delivered. The dispatcher then follows the channel's policy: resend where the provider
   * recognises a repeat (email keeps its Message-ID), otherwise leave it to staff (`uncertain`).
   */
  kind: 'retryable' | 'permanent' | 'uncertain';
  /** The provider asked to wait at least this long before the next attempt. */
  retryAfterMs?: number;
  /** What went wrong, for the delivery record. Never contains personal data. */
  reason: string;
  /** The original error, for logs (may hold provider text; do not persist verbatim). */
  cause?: unknown;
  /** The recipient can no longer be reached here (blocked the bot, address gone): unlink it. */
  unlinkRecipient?: boolean;
}

/** The outcome of one send attempt. */
export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: SendFailure };

/**
 * How the core follows a send on a channel that waits for its slot at the wire (Telegram: a chat's
 * one message a second), so that a send is recorded as started only when its request leaves.
 */
export interface SendHooks {
  /**
   * Called once the request's slot is taken, right before the request leaves; the request leaves
   * only when it resolves `true` (the core recorded the attempt as started). Not called at all when
   * the send ends before (aborted while waiting): the message never left.
   */
  leaving(): Promise<boolean>;
  /** Ends a send still waiting for its slot; one whose request has left runs to its answer. */
  signal?: AbortSignal;
}

/** A delivery channel. `send` never throws for provider or network failures: it returns them. */
export interface Channel {
  readonly name: ChannelName;
  /**
   * The channel calls {@link SendHooks.leaving} as each request leaves (and only then sends): the core
   * then records the attempt there rather than before the call.
   */
  readonly callsLeaving?: boolean;
  send(message: OutgoingMessage, hooks?: SendHooks): Promise<SendResult>;
}

/** Builds a successful result. */
export function delivered(providerMessageId: string): SendResult {
  return { ok: true, providerMessageId };
}

/** Builds a failed result. */
export function failed(failure: SendFailure): SendResult {
  return { ok: false, failure };
}

/**
 * A failure for a message handed to the wrong adapter: a bug in the caller, recorded rather than
 * thrown so one bad delivery cannot stop the consumer loop.
 */
export function wrongRecipient(channel: ChannelName, recipient: Recipient): SendResult {
  return failed({
    kind: 'permanent',
    reason: `the ${channel} channel cannot deliver to a ${recipient.channel} recipient`,
  });
}

const FISCAL_CODE_ANYWHERE =
  /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi;
const EMAIL_ANYWHERE = /[^\s<>"'@]+@[^\s<>"'@]+\.[^\s<>"'@]+/g;

/**
 * Removes fiscal codes and email addresses from provider text before it becomes a failure reason:
 * providers echo the recipient back in their error messages.
 */
export function redactPersonalData(text: string): string {
  return text.replace(FISCAL_CODE_ANYWHERE, '[fiscal code]').replace(EMAIL_ANYWHERE, '[email]');
}
