import { readFileSync } from 'node:fs';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * The public schema is the API's documentation for third-party developers: every type, field,
 * argument and enum value in the committed schema/api.graphql must say what it is.
 */
const API_SCHEMA = new URL('../../../schema/api.graphql', import.meta.url);

/** `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE` for each of them without a description. */
function undescribed(sdl: string): string[] {
  const missing: string[] = [];
  for (const definition of parse(sdl).definitions as readonly DefinitionNode[]) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        if (!definition.description?.value.trim()) missing.push(definition.name.value);
        for (const field of definition.fields ?? []) {
          const path = `${definition.name.value}.${field.name.value}`;
          if (!field.description?.value.trim()) missing.push(path);
          for (const argument of 'arguments' in field ? (field.arguments ?? []) : []) {
            if (!argument.description?.value.trim()) missing.push(`${path}(${argument.name.value})`);
          }
        }
        break;
      case Kind.ENUM_TYPE_DEFINITION:
        if (!definition.description?.value.trim()) missing.push(definition.name.value);
        for (const value of definition.values ?? []) {
          if (!value.description?.value.trim()) missing.push(`${definition.name.value}.${value.name.value}`);
        }
        break;
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
  it('describes every type, field, argument and enum value of the committed schema/api.graphql', () => {
    expect(undescribed(readFileSync(API_SCHEMA, 'utf8'))).toEqual([]);
  });

  it('names what lacks a description', () => {
    const sdl = `
      """A thing."""
      type Thing { """Its id.""" id: ID! name: String """Its parts.""" parts(first: Int): [Thing!]! }
      input Filter { """Only these.""" ids: [ID!] }
      enum Colour { RED }
      """A size."""
      enum Size { """Small.""" S M }
      """  """
      scalar Blank
    `;
    expect(undescribed(sdl)).toEqual([
      'Thing.name',
      'Thing.parts(first)',
      'Filter',
      'Colour',
      'Colour.RED',
      'Size.M',
      'Blank',
    ]);
  });
});
