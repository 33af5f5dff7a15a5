import { composeServices } from '@apollo/composition';
import { type GraphQLError, parse, printSchema } from 'graphql';

/** One subgraph's SDL as written by its `generate:sdl` script. */
export interface SubgraphSource {
  /** Subgraph name, e.g. `identity`; it is the name the gateway uses to find the subgraph's URL. */
  name: string;
  /** The SDL text (federation 2, with its `@link`). */
  sdl: string;
}

/** The two artefacts composition produces. */
export interface ComposedSchemas {
  /** Supergraph SDL the gateway boots from (with the join/link federation internals). */
  supergraphSdl: string;
  /** Client-facing API schema: what third-party apps see, without any federation internals. */
  apiSdl: string;
}

/**
 * The subgraphs do not compose. The message lists every composition error, each prefixed with the
 * code Apollo composition gave it, so the subgraph at fault is named.
 */
export class CompositionFailedError extends Error {
  override readonly name = 'CompositionFailedError';

  constructor(readonly errors: readonly GraphQLError[]) {
    super(
      `Subgraphs do not compose (${errors.length} error${errors.length === 1 ? '' : 's'}):\n` +
        errors
          .map((error) => `  - [${String(error.extensions['code'] ?? 'ERROR')}] ${error.message}`)
          .join('\n'),
    );
  }
}

/** There is nothing to compose: no subgraph has written its SDL yet. */
export class NoSubgraphsError extends Error {
  override readonly name = 'NoSubgraphsError';

  constructor(detail: string) {
    super(`No subgraph SDL to compose: ${detail}`);
  }
}

/**
 * Composes subgraph SDL into the supergraph and the API schema.
 *
 * Subgraph URLs are deliberately left out of the supergraph (`url: ""`): they are deployment
 * configuration, given to the gateway at boot, so the committed artefact is the same everywhere.
 *
 * @throws {NoSubgraphsError} when `subgraphs` is empty.
 * @throws {CompositionFailedError} when composition fails; a subgraph SDL that does not parse is
 * reported the same way, naming the subgraph.
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): ComposedSchemas {
  if (subgraphs.length === 0) throw new NoSubgraphsError('the list of subgraphs is empty');
  const sorted = [...subgraphs].sort((a, b) => a.name.localeCompare(b.name));
  const services = sorted.map((subgraph) => {
    try {
      return { name: subgraph.name, typeDefs: parse(subgraph.sdl) };
    } catch (error) {
      throw new CompositionFailedError([
        Object.assign(error as GraphQLError, {
          message: `subgraph "${subgraph.name}": ${(error as Error).message}`,
        }),
      ]);
    }
  });
  const result = composeServices(services);
  if (result.errors) throw new CompositionFailedError(result.errors);
  const apiSchema = result.schema.toAPISchema().toGraphQLJSSchema();
  return {
    supergraphSdl: ensureTrailingNewline(result.supergraphSdl),
    apiSdl: ensureTrailingNewline(printSchema(apiSchema)),
  };
}

function ensureTrailingNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
