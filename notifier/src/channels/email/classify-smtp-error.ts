import { redactPersonalData, type SendFailure } from '../channel.js';

interface SmtpErrorLike {
  code?: string;
  /** The SMTP command in progress (nodemailer): `CONN`, `EHLO`, `MAIL FROM`, `RCPT TO`, `DATA`... */
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Socket-level failures: the server was not reached or the connection broke mid-way. */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** Enhanced status codes (RFC 3463) that say the address itself is bad, not the message. */
const BAD_ADDRESS = /\b5\.1\.[0-3]\b/;

/**
 * The one place that decides whether an SMTP failure is worth retrying. SMTP says it itself:
 * 4xx replies are transient, 5xx replies are permanent (RFC 5321 §4.2.1); below are the exceptions.
 */
export function classifySmtpError(error: unknown): SendFailure {
  const err = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorLike;
  const code = err.code;
  const reply = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const detail = redactPersonalData((err.response ?? err.message ?? String(error)).slice(0, 300));

  // Rejected credentials: retrying with the same ones cannot succeed; the reason tells the operator,
  // who can requeue once the configuration is fixed. Checked before the reply code because servers
  // answer 535 (permanent) or 454 (transient) for the same problem.
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { kind: 'permanent', reason: `SMTP authentication failed: ${detail}`, cause: error };
  }
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return {
      kind: 'retryable',
      reason: `SMTP server deferred the message (${reply}): ${detail}`,
      cause: error,
    };
  }
  if (reply !== undefined && reply >= 500) {
    // 5.1.x means the mailbox does not exist or the address is malformed: keeping it linked would
    // fail every future message too.
    const badAddress = BAD_ADDRESS.test(err.response ?? '') || reply === 553;
    return {
      kind: 'permanent',
      reason: `SMTP server rejected the message (${reply}): ${detail}`,
      cause: error,
      ...(badAddress ? { unlinkRecipient: true } : {}),
    };
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    // Broken after the message went out (DATA sent, no final reply): the server may have queued it.
    // The dispatcher resends it with the same Message-ID, which receiving systems recognise.
    if (err.command === 'DATA' || err.command === 'message') {
      return {
        kind: 'uncertain',
        reason: `SMTP answer lost after the message was sent (${code})`,
        cause: error,
      };
    }
    return { kind: 'retryable', reason: `SMTP connection failed (${code})`, cause: error };
  }
  // A pooled connection hit its per-connection message limit while the message was queued:
  // the pool opens a new connection on the next attempt.
  if (code === 'EMAXLIMIT') {
    return { kind: 'retryable', reason: 'SMTP pool connection reached its message limit', cause: error };
  }
  // The message could not be built or has no valid recipient: it would fail the same way again.
  if (code === 'EMESSAGE' || code === 'EENVELOPE' || code === 'EREQUIRETLS') {
    return { kind: 'permanent', reason: `message not sendable (${code}): ${detail}`, cause: error };
  }
  // Anything else (a protocol hiccup, an unexpected exception) is unknown: retrying is the safe
  // choice because the core bounds the number of attempts.
  return {
    kind: 'retryable',
    reason: `unexpected SMTP failure${code ? ` (${code})` : ''}: ${detail}`,
    cause: error,
  };
}
