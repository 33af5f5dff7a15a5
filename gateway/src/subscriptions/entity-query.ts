import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  parseType,
  type SelectionNode,
  type VariableDefinitionNode,
  visit,
} from 'graphql';
import { type EntityLookup } from './subscription-binding.js';

/** The query that resolves one event for one subscriber, with its variables. */
export interface EntityQuery {
  document: DocumentNode;
  variables: Record<string, unknown>;
}

const LOOKUP_PREFIX = '__lookup_';

/** The single root field of a subscription operation (fragment spreads at the root are refused). */
export function subscriptionRootField(operation: OperationDefinitionNode): FieldNode {
  const [selection, ...rest] = operation.selectionSet.selections;
  if (!selection || rest.length > 0 || selection.kind !== Kind.FIELD) {
    throw new GraphQLError('A subscription must select exactly one field, without fragments at its root');
  }
  return selection;
}

/** Response keys of a batch's entities: `batch__0`, `batch__1`... (not names a client can write). */
const BATCH_PREFIX = 'batch__';

/**
 * The query resolving several events' entities at once, and how its answer splits into one
 * result per event.
 */
export interface EntityBatchQuery extends EntityQuery {
  /**
   * One result per lookup, in their order, each shaped as the subscriber's own query would answer
   * it: data under the response key, errors of that entity with their paths from there, and errors
   * of the whole request (an unreachable subgraph, a timeout) in every result. `null` when one
   * entity's error emptied the whole answer (a non-null field gave way): the lookups are then
   * resolved one by one, so each event gets its own error and the others their data.
   */
  split(result: ExecutionResult): ExecutionResult[] | null;
}

/**
 * Rewrites a subscription into the query that loads the entities of several events: the
 * subscription field becomes `batch__<n>: <lookup field>(<lookup args>)` once per distinct lookup,
 * each with the subscriber's selection set, the fragments and the variables it uses. The gateway
 * plans it as one query: one fetch to the lookup's subgraph for every event, and one `_entities`
 * fetch per other subgraph for all of their entities. Each result therefore has the shape the
 * subscriber asked for, and runs through the ordinary federated query path.
 *
 * @throws {GraphQLError} when a lookup names a field or argument the API schema lacks.
 */
export function entityBatchQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  lookups: readonly EntityLookup[],
  variableValues: Record<string, unknown>,
  /**
   * A change's entity field: the query selects what the subscriber asked of it, and each result
   * holds it under this response key.
   */
  entityOfChange?: { responseKey: string; selections: readonly SelectionNode[] },
): EntityBatchQuery {
  const subscribed = subscriptionRootField(operation);
  const responseKey = entityOfChange
    ? entityOfChange.responseKey
    : (subscribed.alias ?? subscribed.name).value;
  const selectionSet: FieldNode['selectionSet'] = entityOfChange
    ? { kind: Kind.SELECTION_SET, selections: entityOfChange.selections }
    : subscribed.selectionSet;
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );

  const used = new Set<string>();
  const collect = (node: FieldNode['selectionSet'] | FragmentDefinitionNode) => {
    if (!node) return;
    visit(node, {
      Variable(variable) {
        used.add(variable.name.value);
      },
    });
  };
  collect(selectionSet);
  for (const fragment of fragments) collect(fragment);

  const variables: Record<string, unknown> = {};
  const definitions: VariableDefinitionNode[] = (operation.variableDefinitions ?? []).filter((definition) => {
    const name = definition.variable.name.value;
    if (!used.has(name)) return false;
    if (name in variableValues) variables[name] = variableValues[name];
    return true;
  });

  // Two events about the same entity (submitted, then registered) share its field.
  const aliasOf: string[] = [];
  const fields: FieldNode[] = [];
  const distinct = new Map<string, string>();
  for (const lookup of lookups) {
    const same = JSON.stringify([lookup.field, lookup.args]);
    const known = distinct.get(same);
    if (known !== undefined) {
      aliasOf.push(known);
      continue;
    }
    const index = fields.length;
    const alias = `${BATCH_PREFIX}${index}`;
    distinct.set(same, alias);
    aliasOf.push(alias);
    const queryField = schema.getQueryType()?.getFields()[lookup.field];
    if (!queryField)
      throw new GraphQLError(`Query.${lookup.field}, used to resolve subscription events, does not exist`);
    const argumentsNodes: FieldNode['arguments'] = Object.entries(lookup.args).map(([name, value]) => {
      const argument = queryField.args.find((arg) => arg.name === name);
      if (!argument) throw new GraphQLError(`Query.${lookup.field} has no argument "${name}"`);
      const variableName = `${LOOKUP_PREFIX}${index}_${name}`;
      variables[variableName] = value;
      definitions.push({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variableName } },
        type: parseType(String(argument.type)),
      });
      return {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: name },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variableName } },
      };
    });
    fields.push({
      kind: Kind.FIELD,
      alias: { kind: Kind.NAME, value: alias },
      name: { kind: Kind.NAME, value: lookup.field },
      arguments: argumentsNodes,
      ...(selectionSet ? { selectionSet } : {}),
    });
  }

  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    ...(operation.name ? { name: operation.name } : {}),
    variableDefinitions: definitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
  };
  const aliases = new Set(aliasOf);
  return {
    document: { kind: Kind.DOCUMENT, definitions: [query, ...fragments] },
    variables,
    split(result) {
      const data = result.data as Record<string, unknown> | null | undefined;
      const own = new Map<string, GraphQLError[]>();
      const shared: GraphQLError[] = [];
      for (const error of result.errors ?? []) {
        const head = error.path?.[0];
        if (typeof head !== 'string' || !aliases.has(head)) {
          shared.push(error as GraphQLError);
          continue;
        }
        const moved = new GraphQLError(error.message, {
          path: [responseKey, ...error.path!.slice(1)],
          ...(error.extensions ? { extensions: error.extensions } : {}),
        });
        own.set(head, [...(own.get(head) ?? []), moved]);
      }
      if (data == null && own.size > 0 && fields.length > 1) return null;
      return aliasOf.map((alias) => {
        const errors = [...(own.get(alias) ?? []), ...shared];
        return {
          data: data == null ? null : { [responseKey]: data[alias] ?? null },
          ...(errors.length > 0 ? { errors } : {}),
        };
      });
    },
  };
}

/** The fields a selection asks for at its own level, through inline fragments and spreads. */
function fieldsAt(
  selections: readonly SelectionNode[],
  fragments: Map<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      fields.push(...fieldsAt(selection.selectionSet.selections, fragments));
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...fieldsAt(fragment.selectionSet.selections, fragments));
    }
  }
  return fields;
}

/** Response key of the entity in a change's query: not a name a client can write. */
const ENTITY_KEY = 'entity__';

/**
 * How a change-typed subscription (`PracticeUpdate { from to at practice { ... } }`) is answered:
 * what the query resolving the entity selects of it (for {@link entityBatchQuery}), and the
 * function turning its result into the update, the other fields taken from the event.
 */
export function changeQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  entityField: string,
): {
  /** What to resolve of the entity, or `null` when the subscriber selected none of it. */
  entity: { responseKey: string; selections: readonly SelectionNode[] } | null;
  assemble(result: ExecutionResult, values: Record<string, unknown>): ExecutionResult;
} {
  const root = subscriptionRootField(operation);
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const fields = fieldsAt(root.selectionSet?.selections ?? [], fragments);
  const entityNodes = fields.filter((field) => field.name.value === entityField);
  const rootKey = (root.alias ?? root.name).value;
  const typeName = getNamedType(schema.getSubscriptionType()?.getFields()[root.name.value]?.type)?.name;
  const entity =
    entityNodes.length === 0
      ? null
      : {
          responseKey: ENTITY_KEY,
          selections: entityNodes.flatMap((node) => node.selectionSet?.selections ?? []),
        };
  return {
    entity,
    assemble(result, values) {
      const resolved = (result.data as Record<string, unknown> | null | undefined)?.[ENTITY_KEY] ?? null;
      const change: Record<string, unknown> = {};
      for (const field of fields) {
        const key = (field.alias ?? field.name).value;
        const name = field.name.value;
        change[key] =
          name === entityField ? resolved : name === '__typename' ? typeName : (values[name] ?? null);
      }
      const entityKey = entityNodes[0] ? (entityNodes[0].alias ?? entityNodes[0].name).value : entityField;
      const errors = result.errors?.map((error) =>
        error.path?.[0] === ENTITY_KEY
          ? new GraphQLError(error.message, {
              path: [rootKey, entityKey, ...error.path.slice(1)],
              extensions: error.extensions,
            })
          : error,
      );
      return { data: { [rootKey]: change }, ...(errors && errors.length > 0 ? { errors } : {}) };
    },
  };
}
