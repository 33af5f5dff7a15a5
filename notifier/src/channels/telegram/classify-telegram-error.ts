import { TelegramError } from 'telegraf';
import { redactPersonalData, type SendFailure } from '../channel.js';

/**
 * Network failures before the request could reach Telegram (node-fetch `FetchError` system codes):
 * nothing was sent.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The one place that decides whether a Bot API failure is worth retrying. The Bot API answers
 * `{ ok: false, error_code, description, parameters }`; the error code mostly says it all, with the
 * exceptions commented below.
 */
export function classifyTelegramError(error: unknown): SendFailure {
  if (error instanceof TelegramError) {
    const code = error.code;
    const description = redactPersonalData(error.description ?? '');
    // Flood control: Telegram says exactly how long to wait.
    if (code === 429) {
      const seconds = error.parameters?.retry_after;
      return {
        kind: 'retryable',
        retryAfterMs: typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : 1000,
        reason: `Telegram flood control: ${description}`,
        cause: error,
      };
    }
    // "bot was blocked by the user", "bot can't initiate conversation with a user",
    // "user is deactivated", "bot was kicked": the person is gone from this chat for good.
    if (code === 403) {
      return {
        kind: 'permanent',
        reason: `Telegram refused the chat: ${description}`,
        cause: error,
        unlinkRecipient: true,
      };
    }
    // The linked chat no longer exists (deleted account, wrong id): nothing will ever arrive there.
    if (code === 400 && /chat not found|user not found|PEER_ID_INVALID/i.test(description)) {
      return { kind: 'permanent', reason: `Telegram: ${description}`, cause: error, unlinkRecipient: true };
    }
    // Rejected credentials: retrying with the same token cannot succeed; the operator fixes the
    // configuration and requeues. Telegram answers 404 to a malformed token.
    if (code === 401 || code === 404) {
      return { kind: 'permanent', reason: `Telegram rejected the bot token (${code})`, cause: error };
    }
    // Telegram's own trouble (and 502/504 from its proxies) after it got the request: the message
    // may have gone out. sendMessage has no idempotency key, so a blind retry could say it twice.
    if (code >= 500) {
      return {
        kind: 'uncertain',
        reason: `Telegram server error after the request (${code}): ${description}`,
        cause: error,
      };
    }
    // Any other 4xx ("can't parse entities", "message is too long", "message text is empty")
    // describes this message: sending it again gives the same answer.
    return {
      kind: 'permanent',
      reason: `Telegram rejected the message (${code}): ${description}`,
      cause: error,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) {
    return { kind: 'retryable', reason: `Telegram unreachable (${code})`, cause: error };
  }
  // Anything else happened once the request was on its way (a connection reset, a timeout, a
  // broken answer): Telegram may have sent the message, and a repeat cannot be recognised.
  const message = error instanceof Error ? error.message : String(error);
  const name = (error as { name?: unknown } | null)?.name;
  const what =
    typeof code === 'string' ? code : name === 'AbortError' ? 'no answer in time' : 'broken answer';
  return {
    kind: 'uncertain',
    reason: `Telegram answer lost (${what}): ${redactPersonalData(message.slice(0, 200))}`,
    cause: error,
  };
}
