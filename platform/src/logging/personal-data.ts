/**
 * Masking of personal data before anything is written to a log. Logs are read by operators and
 * shipped to third-party stores, so fiscal codes, e-mail addresses, names and credentials never
 * leave a process in clear, wherever they hide: a known field, a free-text message, an error
 * message or stack, or a deeply nested object.
 */

/**
 * A fiscal code anywhere in a string, omocodia included, in any case. No word boundaries: a code
 * glued to other characters (`user_RSSMRA80A01H501U`) is still personal data.
 */
const FISCAL_CODE_IN_TEXT =
  /[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]/gi;
const EMAIL_IN_TEXT = /([A-Z0-9._%+-])[A-Z0-9._%+-]*@([A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,})/gi;
const JWT_IN_TEXT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const BEARER_IN_TEXT = /\b(Bearer|Basic)\s+[^\s,;"']+/gi;

/**
 * Keys (compared lower-case, punctuation removed, by suffix) whose values are dropped whole:
 * credentials and the personal fields of the domain. `subjectFiscalCode`, `contactEmail` and
 * `refresh_token` all match.
 */
const SENSITIVE_KEY =
  /(fiscalcode|codicefiscale|email|emailaddress|token|password|passwd|secret|apikey|subscriptionkey|authorization|cookie|phone|phonenumber|firstname|lastname|surname|givenname|familyname|fullname)$/;

/** What a redacted field's value becomes. */
export const REDACTED = '[REDACTED]';

const MAX_DEPTH = 12;

/** `RSSMRA80A01H501U` → `RSS***********1U`: enough to tell two codes apart in a trace, not to identify. */
export function maskFiscalCode(code: string): string {
  return `${code.slice(0, 3)}${'*'.repeat(code.length - 5)}${code.slice(-2)}`;
}

/** Masks fiscal codes, e-mail addresses, JWTs and `Bearer`/`Basic` credentials inside free text. */
export function maskPersonalText(text: string): string {
  return text
    .replace(JWT_IN_TEXT, '[JWT]')
    .replace(BEARER_IN_TEXT, `$1 ${REDACTED}`)
    .replace(EMAIL_IN_TEXT, '$1***@$2')
    .replace(FISCAL_CODE_IN_TEXT, maskFiscalCode);
}

function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

function maskError(error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const masked: Record<string, unknown> = {
    type: error.name,
    message: maskPersonalText(error.message),
  };
  if (error.stack !== undefined) masked.stack = maskPersonalText(error.stack);
  for (const [key, value] of Object.entries(error)) {
    masked[key] = isSensitiveKey(key) && value != null ? REDACTED : mask(value, seen, depth + 1);
  }
  if (error.cause !== undefined) masked.cause = mask(error.cause, seen, depth + 1);
  if (error instanceof AggregateError) masked.errors = mask(error.errors, seen, depth + 1);
  return masked;
}

function mask(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return maskPersonalText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[Truncated]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return maskError(value, seen, depth);
    if (value instanceof Date) return value;
    if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((item) => mask(item, seen, depth + 1));
    if (value instanceof Map) return mask(Object.fromEntries(value), seen, depth + 1);
    if (value instanceof Set) return mask([...value], seen, depth + 1);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return mask(toJSON.call(value), seen, depth + 1);
    const masked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      masked[key] = isSensitiveKey(key) && item != null ? REDACTED : mask(item, seen, depth + 1);
    }
    return masked;
  } finally {
    // Only cycles are "[Circular]"; the same object twice in siblings is logged twice.
    seen.delete(value);
  }
}

/**
 * A copy of `value` safe to log: sensitive keys redacted at any depth, personal data masked in
 * every string (errors become plain objects with masked `message` and `stack`).
 */
export function maskPersonalData<T>(value: T): T extends string ? string : unknown {
  return mask(value, new WeakSet(), 0) as T extends string ? string : unknown;
}
