/** How deep a request's variables may nest: far beyond any input type of the schema. */
export const MAX_VARIABLES_DEPTH = 32;

/** Why a request's values cannot go further, and where. */
export interface ValueProblem {
  message: string;
  /** JSON pointer-like path into the variables (`variables.input.notes`), or `query`. */
  path: string;
}

/**
 * Values no service can store or process, found before the request is planned: strings holding the
 * NUL character (U+0000; databases refuse it, or worse, cut the text there) and variables nested
 * deeper than {@link MAX_VARIABLES_DEPTH}. Walks iteratively, so a hostile nesting cannot overflow
 * the stack.
 */
export function requestValueProblem(query: string | undefined, variables: unknown): ValueProblem | undefined {
  if (query !== undefined && (query.includes('\u0000') || /\\u0000|\\u\{0+\}/i.test(query))) {
    return { message: 'Strings must not contain the NUL character (U+0000)', path: 'query' };
  }
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: variables, path: 'variables', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        return { message: 'Strings must not contain the NUL character (U+0000)', path };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_VARIABLES_DEPTH) {
      return { message: `Variables must not nest deeper than ${MAX_VARIABLES_DEPTH} levels`, path };
    }
    for (const [key, child] of Object.entries(value)) {
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
