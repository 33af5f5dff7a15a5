import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/** The static limits checked on every document before it is planned. */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  defaultListSize: number;
}

/** Measures of one selection set, with fragments expanded. */
interface Measure {
  depth: number;
  aliases: number;
  /** Cost per instance of the parent: one per field resolved, list children multiplied. */
  cost: number;
}

const PAGE_ARGUMENTS = new Set(['first', 'last', 'limit', 'take', 'pageSize']);
/**
 * Introspection fields: their nesting follows the type system, not data, so their depth is not
 * counted; but each one answers with (a share of) the whole schema, so each costs as much as this,
 * and aliasing it is counted like any alias.
 */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
export const INTROSPECTION_COST = 1_000;

/** A document went over one of the limits. `extensions.limit` names it, with the measured value. */
export class OperationLimitError extends GraphQLError {
  constructor(limit: string, max: number, actual: number, what: string) {
    super(`${what} ${actual} exceeds the limit of ${max} (${limit})`, {
      extensions: { limit: { name: limit, max, actual } },
    });
  }
}

function isList(type: GraphQLOutputType): boolean {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  return isListType(unwrapped);
}

/** A Relay connection: its `edges` and `nodes` hold one page, sized by the connection's `first`. */
function isConnection(type: GraphQLNamedType | undefined): boolean {
  if (!type || !isObjectType(type)) return false;
  const fields = type.getFields();
  return 'pageInfo' in fields && ('edges' in fields || 'nodes' in fields);
}

/**
 * Measures every operation of a document: nesting depth, number of aliased fields and an
 * estimated cost (fields resolved, where a list multiplies its children by its page argument or
 * `defaultListSize`; a connection's `edges` and `nodes` by the connection's page argument). Fragments are measured once and reused, so a fragment bomb costs linear time
 * to measure while still counting every expansion.
 */
export function measureDocument(
  document: DocumentNode,
  schema: GraphQLSchema,
  defaultListSize: number,
): Measure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentMeasures = new Map<string, Measure>();
  const inProgress = new Set<string>();

  const listSize = (field: FieldNode): number => {
    for (const argument of field.arguments ?? []) {
      if (PAGE_ARGUMENTS.has(argument.name.value) && argument.value.kind === Kind.INT) {
        return Math.max(1, Number.parseInt(argument.value.value, 10));
      }
    }
    return defaultListSize;
  };

  const measure = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    /** The page size of the connection `parent` is, for its `edges` and `nodes`. */
    page?: number,
  ): Measure => {
    const total: Measure = { depth: 0, aliases: 0, cost: 0 };
    const add = (part: Measure): void => {
      total.depth = Math.max(total.depth, part.depth);
      total.aliases += part.aliases;
      total.cost += part.cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (INTROSPECTION_ROOTS.has(selection.name.value)) {
          add({ depth: 1, aliases: selection.alias ? 1 : 0, cost: INTROSPECTION_COST });
          continue;
        }
        const fieldDef =
          parent && (isObjectType(parent) || isInterfaceType(parent))
            ? parent.getFields()[selection.name.value]
            : undefined;
        const part: Measure = { depth: 1, aliases: selection.alias ? 1 : 0, cost: 1 };
        if (selection.selectionSet) {
          const type = fieldDef ? getNamedType(fieldDef.type) : undefined;
          const child = measure(
            selection.selectionSet,
            type,
            isConnection(type) ? listSize(selection) : undefined,
          );
          const pageOfConnection =
            page !== undefined && (selection.name.value === 'edges' || selection.name.value === 'nodes');
          const multiplier =
            fieldDef && isList(fieldDef.type) ? (pageOfConnection ? page : listSize(selection)) : 1;
          part.depth += child.depth;
          part.aliases += child.aliases;
          part.cost += multiplier * child.cost;
        }
        add(part);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        add(measure(selection.selectionSet, type ?? undefined, type === parent ? page : undefined));
      } else {
        const name = selection.name.value;
        const cached = fragmentMeasures.get(name);
        if (cached) {
          add(cached);
          continue;
        }
        const fragment = fragments.get(name);
        // Unknown or cyclic fragments are reported by the standard validation rules.
        if (!fragment || inProgress.has(name)) continue;
        inProgress.add(name);
        const result = measure(
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) ?? undefined,
        );
        inProgress.delete(name);
        fragmentMeasures.set(name, result);
        add(result);
      }
    }
    return total;
  };

  const worst: Measure = { depth: 0, aliases: 0, cost: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation);
    const result = measure(definition.selectionSet, root ?? undefined);
    worst.depth = Math.max(worst.depth, result.depth);
    worst.aliases = Math.max(worst.aliases, result.aliases);
    worst.cost = Math.max(worst.cost, result.cost);
  }
  return worst;
}

/**
 * A validation rule enforcing {@link OperationLimits}; it runs with the standard rules, before the
 * gateway plans anything, and reports one error per limit exceeded.
 */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context) => ({
    Document: {
      leave(document) {
        const measured = measureDocument(document, context.getSchema(), limits.defaultListSize);
        if (measured.depth > limits.maxDepth) {
          context.reportError(
            new OperationLimitError('maxDepth', limits.maxDepth, measured.depth, 'Query depth'),
          );
        }
        if (measured.aliases > limits.maxAliases) {
          context.reportError(
            new OperationLimitError(
              'maxAliases',
              limits.maxAliases,
              measured.aliases,
              'Number of aliased fields',
            ),
          );
        }
        if (measured.cost > limits.maxCost) {
          context.reportError(
            new OperationLimitError('maxCost', limits.maxCost, measured.cost, 'Estimated query cost'),
          );
        }
      },
    },
  });
}

/**
 * The limits a subgraph applies itself, behind the gateway's: looser (the gateway's own queries to a
 * subgraph add `_entities` and keys), so they only stop what never came through the gateway.
 */
export const SUBGRAPH_OPERATION_LIMITS: OperationLimits & { maxTokens: number } = {
  maxDepth: 24,
  maxAliases: 200,
  maxCost: 200_000,
  defaultListSize: 20,
  maxTokens: 20_000,
};
