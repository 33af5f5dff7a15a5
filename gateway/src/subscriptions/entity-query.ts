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

/**
 * Rewrites a subscription into the query that loads its entity: the subscription field becomes
 * `<same response key>: <lookup field>(<lookup args>)` with the subscriber's selection set, the
 * fragments and the variables it uses. The result therefore has the shape the subscriber asked
 * for, and runs through the ordinary federated query path.
 *
 * @throws {GraphQLError} when the lookup names a field or argument the API schema lacks.
 */
export function entityQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  lookup: EntityLookup,
  variableValues: Record<string, unknown>,
  /** A change's entity field: the query selects what the subscriber asked of it, under this key. */
  entityOfChange?: { responseKey: string; selections: readonly SelectionNode[] },
): EntityQuery {
  const subscribed = subscriptionRootField(operation);
  const root: FieldNode = entityOfChange
    ? {
        ...subscribed,
        alias: { kind: Kind.NAME, value: entityOfChange.responseKey },
        selectionSet: { kind: Kind.SELECTION_SET, selections: entityOfChange.selections },
      }
    : subscribed;
  const queryField = schema.getQueryType()?.getFields()[lookup.field];
  if (!queryField)
    throw new GraphQLError(`Query.${lookup.field}, used to resolve subscription events, does not exist`);
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
  collect(root.selectionSet);
  for (const fragment of fragments) collect(fragment);

  const variables: Record<string, unknown> = {};
  const definitions: VariableDefinitionNode[] = (operation.variableDefinitions ?? []).filter((definition) => {
    const name = definition.variable.name.value;
    if (!used.has(name)) return false;
    if (name in variableValues) variables[name] = variableValues[name];
    return true;
  });
  const argumentsNodes: FieldNode['arguments'] = Object.entries(lookup.args).map(([name, value]) => {
    const argument = queryField.args.find((arg) => arg.name === name);
    if (!argument) throw new GraphQLError(`Query.${lookup.field} has no argument "${name}"`);
    const variableName = `${LOOKUP_PREFIX}${name}`;
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

  const field: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: (root.alias ?? root.name).value },
    name: { kind: Kind.NAME, value: lookup.field },
    arguments: argumentsNodes,
    ...(root.selectionSet ? { selectionSet: root.selectionSet } : {}),
  };
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    ...(operation.name ? { name: operation.name } : {}),
    variableDefinitions: definitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
  };
  return { document: { kind: Kind.DOCUMENT, definitions: [query, ...fragments] }, variables };
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
 * the query resolving the entity field's selection, and the function turning its result into the
 * update, the other fields taken from the event.
 */
export function changeQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  lookup: EntityLookup,
  variableValues: Record<string, unknown>,
  entityField: string,
): {
  /** The query resolving the entity, or `null` when the subscriber selected none of it. */
  query: EntityQuery | null;
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
  const query =
    entityNodes.length === 0
      ? null
      : entityQuery(schema, document, operation, lookup, variableValues, {
          responseKey: ENTITY_KEY,
          selections: entityNodes.flatMap((node) => node.selectionSet?.selections ?? []),
        });
  return {
    query,
    assemble(result, values) {
      const entity = (result.data as Record<string, unknown> | null | undefined)?.[ENTITY_KEY] ?? null;
      const change: Record<string, unknown> = {};
      for (const field of fields) {
        const key = (field.alias ?? field.name).value;
        const name = field.name.value;
        change[key] =
          name === entityField ? entity : name === '__typename' ? typeName : (values[name] ?? null);
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
