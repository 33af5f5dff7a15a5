/**
 * A strict MarkdownV2 parser with Telegram's rules and error texts, written independently of the
 * channel's escaping so that the fake Bot API catches what the real one would reject.
 */

export type MarkdownV2Parse = { ok: true; plain: string } | { ok: false; description: string };

const RESERVED_OUTSIDE = new Set([
  '_',
  '*',
  '[',
  ']',
  '(',
  ')',
  '~',
  '`',
  '>',
  '#',
  '+',
  '-',
  '=',
  '|',
  '{',
  '}',
  '.',
  '!',
  '\\',
]);

interface Open {
  type: string;
  offset: number;
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/** Parses `text` as MarkdownV2; returns the visible text or Telegram's "can't parse entities" error. */
export function parseMarkdownV2(text: string): MarkdownV2Parse {
  const stack: Open[] = [];
  let plain = '';
  let i = 0;
  const fail = (detail: string): MarkdownV2Parse => ({
    ok: false,
    description: `Bad Request: can't parse entities: ${detail}`,
  });
  const reserved = (char: string): MarkdownV2Parse =>
    fail(`Character '${char}' is reserved and must be escaped with the preceding '\\'`);

  const toggle = (type: string, width: number): MarkdownV2Parse | undefined => {
    const top = stack[stack.length - 1];
    if (top?.type === type) stack.pop();
    else if (stack.some((o) => o.type === type)) {
      // Telegram requires proper nesting: closing an outer entity first leaves the inner unterminated.
      return fail(`Can't find end of ${top!.type} entity at byte offset ${byteOffset(text, top!.offset)}`);
    } else stack.push({ type, offset: i });
    i += width;
    return undefined;
  };

  while (i < text.length) {
    const char = text[i]!;
    if (char === '\\') {
      const next = text.codePointAt(i + 1);
      if (next === undefined || next < 1 || next > 126) return reserved('\\');
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (char === '`') {
      const pre = text.startsWith('```', i);
      const start = i;
      i += pre ? 3 : 1;
      if (pre) {
        // Optional language name on the opening line.
        const newline = text.indexOf('\n', i);
        const firstLine = newline === -1 ? '' : text.slice(i, newline);
        if (newline !== -1 && /^[A-Za-z0-9_+-]*$/.test(firstLine)) i = newline + 1;
      }
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\') {
          const next = text.codePointAt(i + 1);
          if (next === undefined || next < 1 || next > 126) return reserved('\\');
          plain += text[i + 1];
          i += 2;
          continue;
        }
        if (c === '`') {
          if (!pre) {
            closed = true;
            i += 1;
            break;
          }
          if (text.startsWith('```', i)) {
            closed = true;
            i += 3;
            break;
          }
          return reserved('`');
        }
        plain += c;
        i += 1;
      }
      if (!closed) {
        return fail(
          `Can't find end of ${pre ? 'Pre' : 'Code'} entity at byte offset ${byteOffset(text, start)}`,
        );
      }
      continue;
    }
    let problem: MarkdownV2Parse | undefined;
    switch (char) {
      case '*':
        problem = toggle('Bold', 1);
        break;
      case '_':
        problem = text[i + 1] === '_' ? toggle('Underline', 2) : toggle('Italic', 1);
        break;
      case '~':
        problem = toggle('Strikethrough', 1);
        break;
      case '|':
        if (text[i + 1] !== '|') return reserved('|');
        problem = toggle('Spoiler', 2);
        break;
      case '[':
        stack.push({ type: 'TextUrl', offset: i });
        i += 1;
        break;
      case ']': {
        const top = stack[stack.length - 1];
        if (top?.type !== 'TextUrl') {
          if (stack.some((o) => o.type === 'TextUrl')) {
            return fail(
              `Can't find end of ${top!.type} entity at byte offset ${byteOffset(text, top!.offset)}`,
            );
          }
          return reserved(']');
        }
        stack.pop();
        i += 1;
        if (text[i] === '(') {
          const urlStart = i;
          i += 1;
          let closed = false;
          while (i < text.length) {
            if (text[i] === '\\') {
              i += 2;
              continue;
            }
            if (text[i] === ')') {
              closed = true;
              i += 1;
              break;
            }
            i += 1;
          }
          if (!closed) return fail(`Can't find end of a URL at byte offset ${byteOffset(text, urlStart)}`);
        }
        break;
      }
      case '>':
        if (i !== 0 && text[i - 1] !== '\n') return reserved('>');
        i += 1;
        break;
      default:
        if (RESERVED_OUTSIDE.has(char)) return reserved(char);
        plain += char;
        i += 1;
    }
    if (problem) return problem;
  }
  const open = stack[stack.length - 1];
  if (open)
    return fail(`Can't find end of ${open.type} entity at byte offset ${byteOffset(text, open.offset)}`);
  return { ok: true, plain };
}
