import { registerEnumType } from 'type-graphql';

/** `storm-surge` → `STORM_SURGE`, `profile:write` → `PROFILE_WRITE`: the value's GraphQL enum name. */
export type GraphQLEnumName<V extends string> = Uppercase<Underscored<V>>;

type Underscored<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}_${Underscored<Tail>}`
  : S extends `${infer Head}:${infer Tail}`
    ? `${Head}_${Underscored<Tail>}`
    : S;

/** Domain values whose GraphQL name is not their own, each mapped to the name the public schema gives it. */
export type GraphQLEnumRenames<V extends string> = { readonly [K in V]?: string };

/** The GraphQL name of `V`: the one `R` gives it, or its own. */
type NameIn<V extends string, R> = V extends keyof R
  ? R[V] extends string
    ? R[V]
    : GraphQLEnumName<V>
  : GraphQLEnumName<V>;

/** The object `registerEnumType` takes: each value's GraphQL name mapped to the domain value. */
export type GraphQLEnumOf<V extends string, R extends GraphQLEnumRenames<V> = Record<never, string>> = {
  readonly [K in V as NameIn<K, R>]: K;
};

/** How a GraphQL enum reads in the public schema. */
export interface GraphQLEnumDefinition<V extends string, R extends GraphQLEnumRenames<V>> {
  /** The enum's name in the schema. */
  readonly name: string;
  /** What the enum is about. */
  readonly description: string;
  /** Only for values whose GraphQL name is not their own (`{ submit: 'SUBMISSION' }`); seldom needed. */
  readonly renames?: R & { readonly [K in Exclude<keyof R, V>]: never };
  /** What each value means, by its GraphQL name: every value has one, or the call does not compile. */
  readonly values: { readonly [K in V as NameIn<K, R>]: string };
}

/**
 * Registers the GraphQL enum of a list of domain values, which use dashes, colons and lower case
 * (`['pre-alarm', 'alarm']` → `PRE_ALARM`, `ALARM`), in the list's order and with a description for each,
 * so the public enum follows the domain list instead of copying it. Returns the enum object that
 * `@Field(() => …)` takes.
 *
 * @throws Error when a value makes no GraphQL name, two values make the same one, a value's
 * description is missing, or a description or a rename is given for no value of the list.
 */
export function registerGraphQLEnum<
  const V extends string,
  const R extends GraphQLEnumRenames<V> = Record<never, string>,
>(values: readonly V[], definition: GraphQLEnumDefinition<V, R>): GraphQLEnumOf<V, R> {
  const renames: Partial<Record<string, string>> = definition.renames ?? {};
  const strays = Object.keys(renames).filter((value) => !values.includes(value as V));
  if (strays.length > 0) throw new Error(`${definition.name}: renames ${strays.join(', ')}, not in the list`);
  const entries = values.map((value) => [renames[value] ?? graphqlName(value), value] as const);
  const names = new Set<string>();
  for (const [name, value] of entries) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`enum value "${value}" makes no GraphQL name`);
    if (names.has(name)) throw new Error(`enum values make the GraphQL name ${name} twice`);
    names.add(name);
  }
  const described: Partial<Record<string, string>> = definition.values;
  const missing = entries.filter(([name]) => !described[name]).map(([name]) => name);
  if (missing.length > 0) throw new Error(`${definition.name}: no description for ${missing.join(', ')}`);
  const unknown = Object.keys(described).filter((name) => !names.has(name));
  if (unknown.length > 0)
    throw new Error(`${definition.name}: ${unknown.join(', ')} is no value of the enum`);
  const enumObject = Object.fromEntries(entries) as GraphQLEnumOf<V, R>;
  registerEnumType<Record<string, string>>(enumObject, {
    name: definition.name,
    description: definition.description,
    valuesConfig: Object.fromEntries(entries.map(([name]) => [name, { description: described[name] }])),
  });
  return enumObject;
}

function graphqlName(value: string): string {
  return value.toUpperCase().replace(/[-:]/g, '_');
}
