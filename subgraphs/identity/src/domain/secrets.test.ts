import { describe, expect, it } from 'vitest';
import {
  generateClientSecret,
  generateOneTimeToken,
  hashClientSecret,
  verifyClientSecret,
} from './secrets.js';
import { s256Challenge } from './pkce.js';
import { isTelegramStartPayload, telegramDeepLink } from './telegram-link.js';

describe('client secrets', () => {
  it('verifies the right secret and rejects another one, never storing it in clear', async () => {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    expect(hash).not.toContain(secret);
    expect(await verifyClientSecret(secret, hash)).toBe(true);
    expect(await verifyClientSecret(generateClientSecret(), hash)).toBe(false);
    expect(await verifyClientSecret(secret, 'plain-text')).toBe(false);
  });
});

describe('PKCE S256', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe('Telegram deep links', () => {
  it('builds a link whose payload fits the Bot API limits', () => {
    const token = generateOneTimeToken();
    expect(isTelegramStartPayload(token)).toBe(true);
    expect(telegramDeepLink('SportelloBot', token)).toBe(`https://t.me/SportelloBot?start=${token}`);
  });

  it('rejects payloads Telegram would not pass to the bot', () => {
    expect(isTelegramStartPayload('a'.repeat(65))).toBe(false);
    expect(isTelegramStartPayload('has space')).toBe(false);
    expect(() => telegramDeepLink('SportelloBot', 'bad/token')).toThrow(/A-Za-z0-9_-/);
  });
});
