import { busSubject, busSubjectPattern } from '@sportello/schema';

/** The first token of every bus subject unless a deployment isolates itself with another one. */
export const DEFAULT_SUBJECT_ROOT = 'sportello';

const TOKEN = /^[A-Za-z0-9_-]+$/;

function withRoot(subject: string, root: string): string {
  return root === DEFAULT_SUBJECT_ROOT ? subject : `${root}${subject.slice(DEFAULT_SUBJECT_ROOT.length)}`;
}

/**
 * The subject an event travels on: `busSubject` of @sportello/schema
 * (`sportello.<comune>.<producer>.<type>`), under another first token when `root` is given.
 * @throws EventValidationError for a type outside the catalogue or a malformed comune.
 */
export function subjectFor(event: { comune: string; type: string }, root = DEFAULT_SUBJECT_ROOT): string {
  return withRoot(busSubject(event), root);
}

/**
 * A consumer pattern: `busSubjectPattern` of @sportello/schema (e.g. `{ producer: 'practices' }` ->
 * `sportello.*.practices.>`), under another first token when `root` is given.
 */
export function subjectPattern(
  filter: Parameters<typeof busSubjectPattern>[0] = {},
  root = DEFAULT_SUBJECT_ROOT,
): string {
  return withRoot(busSubjectPattern(filter), root);
}

/**
 * Checks a subscription pattern with NATS rules: non-empty tokens, `*` a whole token, `>` only as the
 * last token.
 * @throws Error naming the pattern and the bad token.
 */
export function assertSubjectPattern(pattern: string): void {
  const tokens = pattern.split('.');
  tokens.forEach((token, index) => {
    if (token === '*') return;
    if (token === '>') {
      if (index === tokens.length - 1) return;
      throw new Error(`subject pattern "${pattern}": ">" is only allowed as the last token`);
    }
    if (!TOKEN.test(token)) {
      throw new Error(`subject pattern "${pattern}": bad token "${token}" at position ${index + 1}`);
    }
  });
}

/** Whether `subject` matches `pattern` (`*` matches exactly one token, `>` one or more trailing tokens). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** A compiled set of patterns, checked once. */
export function subjectFilter(patterns: string | string[]): (subject: string) => boolean {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  if (list.length === 0) throw new Error('at least one subject pattern is required');
  list.forEach(assertSubjectPattern);
  return (subject) => list.some((pattern) => subjectMatches(pattern, subject));
}
