/** Characters Telegram's MarkdownV2 reserves outside entities. */
const RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/** The longest text Telegram accepts in one message, counted after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Escapes text for MarkdownV2 so it is shown literally: every one of `_*[]()~\`>#+-=|{}.!` and the
 * backslash itself gets a preceding backslash.
 */
export function escapeMarkdownV2(text: string): string {
  return text.replace(RESERVED, (char) => `\\${char}`);
}

/** Escapes a URL for the `(...)` part of an inline link, where only `)` and `\` are special. */
export function escapeMarkdownV2Url(url: string): string {
  return url.replace(/[)\\]/g, (char) => `\\${char}`);
}

interface Token {
  /** Source text of the token. */
  source: string;
  /** Characters it contributes to the visible text. */
  visible: number;
  /** Entity marker it opens or closes, if any. */
  marker?: string;
}

const MARKERS = ['||', '__', '*', '_', '~'];

/**
 * Splits well-formed MarkdownV2 into tokens that can be cut between: an escape pair, an entity
 * marker, a whole inline link, code span or pre block (never cut inside), or one character.
 */
function tokenize(markdown: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < markdown.length) {
    const rest = markdown.slice(i);
    if (rest.startsWith('\\') && rest.length > 1) {
      tokens.push({ source: rest.slice(0, 2), visible: 1 });
      i += 2;
      continue;
    }
    if (rest.startsWith('```')) {
      const end = markdown.indexOf('```', i + 3);
      const stop = end === -1 ? markdown.length : end + 3;
      const source = markdown.slice(i, stop);
      tokens.push({ source, visible: source.length });
      i = stop;
      continue;
    }
    if (rest.startsWith('`')) {
      const match = /^`(?:\\.|[^`\\])*`/.exec(rest);
      const source = match ? match[0] : rest;
      tokens.push({ source, visible: source.length });
      i += source.length;
      continue;
    }
    if (rest.startsWith('[')) {
      const match = /^\[(?:\\.|[^\]\\])*\]\((?:\\.|[^)\\])*\)/.exec(rest);
      if (match) {
        tokens.push({ source: match[0], visible: match[0].length });
        i += match[0].length;
        continue;
      }
    }
    const marker = MARKERS.find((m) => rest.startsWith(m));
    if (marker) {
      tokens.push({ source: marker, visible: 0, marker });
      i += marker.length;
      continue;
    }
    // Keep surrogate pairs whole: cutting one in half yields invalid UTF-16.
    const char = String.fromCodePoint(rest.codePointAt(0)!);
    tokens.push({ source: char, visible: char.length });
    i += char.length;
  }
  return tokens;
}

/**
 * Shortens MarkdownV2 so its visible text fits in `limit` characters, cutting only between tokens
 * (never inside an escape, a link or a code span), closing the entities left open and appending an
 * ellipsis. Text that already fits is returned unchanged. Visible length is over-estimated for links
 * and code (their markup is counted), which only makes the cut earlier.
 */
export function truncateMarkdownV2(markdown: string, limit = TELEGRAM_TEXT_LIMIT): string {
  const tokens = tokenize(markdown);
  const total = tokens.reduce((sum, t) => sum + t.visible, 0);
  if (total <= limit) return markdown;
  const ellipsis = '…';
  const budget = limit - ellipsis.length;
  const open: string[] = [];
  const kept: Token[] = [];
  let used = 0;
  for (const token of tokens) {
    if (used + token.visible > budget) break;
    if (token.marker) {
      if (open[open.length - 1] === token.marker) open.pop();
      else open.push(token.marker);
    }
    kept.push(token);
    used += token.visible;
  }
  // Drop markers opened right at the cut (an empty entity is a parse error) and close the rest.
  while (open.length > 0 && kept[kept.length - 1]?.marker === open[open.length - 1]) {
    kept.pop();
    open.pop();
  }
  const out = kept.map((t) => t.source).join('');
  return out + ellipsis + open.reverse().join('');
}
