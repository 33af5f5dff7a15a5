/** Telegram deep-link payloads: at most 64 characters of `A-Za-z0-9_-`. */
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/** Whether a string can be sent as a `/start` payload. */
export function isTelegramStartPayload(value: string): boolean {
  return PAYLOAD.test(value);
}

/**
 * The link a citizen opens to connect their Telegram chat: the bot receives `/start <token>` and
 * hands the token back to identity with the chat id.
 *
 * @throws {Error} when the bot username or the token cannot form a valid deep link (a configuration
 * or programming error).
 */
export function telegramDeepLink(botUsername: string, token: string): string {
  if (!BOT_USERNAME.test(botUsername)) throw new Error(`telegram bot username "${botUsername}" is not valid`);
  if (!isTelegramStartPayload(token))
    throw new Error('telegram start payload must be 1-64 chars of A-Za-z0-9_-');
  return `https://t.me/${botUsername}?start=${token}`;
}
