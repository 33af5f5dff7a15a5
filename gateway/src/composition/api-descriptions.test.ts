import { readFileSync } from 'node:fs';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * The public schema is the API's documentation for third-party developers: every type and field
 * in the committed schema/api.graphql must say what it is.
 */
const API_SCHEMA = new URL('../../../schema/api.graphql', import.meta.url);

/** `Type` or `Type.field` for every type definition and field (or input field) without a description. */
function undescribed(sdl: string): string[] {
  const missing: string[] = [];
  for (const definition of parse(sdl).definitions as readonly DefinitionNode[]) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        if (!definition.description?.value.trim()) missing.push(definition.name.value);
        for (const field of definition.fields ?? []) {
          if (!field.description?.value.trim()) missing.push(`${definition.name.value}.${field.name.value}`);
        }
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
        if (!definition.description?.value.trim()) missing.push(definition.name.value);
        break;
      default:
        break;
    }
  }
  return missing;
}

describe('public API schema descriptions', () => {
  it('describes every type and field of the committed schema/api.graphql', () => {
    expect(undescribed(readFileSync(API_SCHEMA, 'utf8'))).toEqual([]);
  });

  it('names what lacks a description', () => {
    const sdl = `
      """A thing."""
      type Thing { """Its id.""" id: ID! name: String }
      input Filter { """Only these.""" ids: [ID!] }
      enum Colour { RED }
      """  """
      scalar Blank
    `;
    expect(undescribed(sdl)).toEqual(['Thing.name', 'Filter', 'Colour', 'Blank']);
  });
});
