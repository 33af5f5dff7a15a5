import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';

/**
 * Counts lexical tokens up to `max + 1`, without parsing: a huge document is refused after reading
 * at most `max + 1` tokens. Returns the count, or `undefined` if the text does not even lex (the
 * parser will report that with its own syntax error).
 */
export function countTokens(text: string, max: number): number | undefined {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > max) break;
    }
  } catch {
    return undefined;
  }
  return count;
}

/** The document has more tokens than allowed. */
export class TokenLimitError extends GraphQLError {
  constructor(max: number) {
    super(`Document has more than ${max} tokens, the limit (maxTokens)`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: { name: 'maxTokens', max } },
    });
  }
}
