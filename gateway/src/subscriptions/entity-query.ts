import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  parseType,
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
): EntityQuery {
  const root = subscriptionRootField(operation);
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
