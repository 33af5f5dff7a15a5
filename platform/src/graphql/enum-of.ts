/** `storm-surge` → `STORM_SURGE`, `profile:write` → `PROFILE_WRITE`: the value's GraphQL enum name. */
export type GraphQLEnumName<V extends string> = Uppercase<Underscored<V>>;

type Underscored<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}_${Underscored<Tail>}`
  : S extends `${infer Head}:${infer Tail}`
    ? `${Head}_${Underscored<Tail>}`
    : S;

/** The object `registerEnumType` takes: each value's GraphQL name mapped to the domain value. */
export type GraphQLEnumOf<V extends string> = { readonly [K in V as GraphQLEnumName<K>]: K };

/**
 * The GraphQL enum of a list of domain values, which use dashes, colons and lower case
 * (`['pre-alarm', 'alarm']` → `{ PRE_ALARM: 'pre-alarm', ALARM: 'alarm' }`), in the list's order, so
 * the public enum follows the domain list instead of copying it.
 *
 * @throws Error when a value makes no GraphQL name or two values make the same one.
 */
export function graphqlEnumOf<const V extends string>(values: readonly V[]): GraphQLEnumOf<V> {
  const entries = values.map((value) => [value.toUpperCase().replace(/[-:]/g, '_'), value] as const);
  const names = new Set<string>();
  for (const [name, value] of entries) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`enum value "${value}" makes no GraphQL name`);
    if (names.has(name)) throw new Error(`enum values make the GraphQL name ${name} twice`);
    names.add(name);
  }
  return Object.fromEntries(entries) as GraphQLEnumOf<V>;
}
