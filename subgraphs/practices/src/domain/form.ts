import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldViolation } from '../errors.js';

/**
 * Validation of practice forms against their type's JSON Schema (draft 2020-12). A draft may be
 * incomplete, so saving checks everything but `required`; submitting checks the whole schema.
 */
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);

const cache = new Map<string, ValidateFunction>();

/** The schema without its `required` lists, at every depth. */
function withoutRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'required' && Array.isArray(value)))
      .map(([key, value]) => [key, withoutRequired(value)]),
  );
}

function validatorFor(schema: Record<string, unknown>, complete: boolean): ValidateFunction {
  const key = `${complete ? 'c' : 'p'}:${JSON.stringify(schema)}`;
  let validate = cache.get(key);
  if (validate === undefined) {
    validate = ajv.compile(complete ? schema : (withoutRequired(schema) as Record<string, unknown>));
    cache.set(key, validate);
  }
  return validate;
}

/** The title a schema gives the property at `pointer`, for messages a person understands. */
function titleAt(schema: Record<string, unknown>, pointer: string): string | undefined {
  let node: unknown = schema;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    const properties = (node as { properties?: Record<string, unknown>; items?: unknown }).properties;
    node = /^\d+$/.test(part) ? (node as { items?: unknown }).items : properties?.[part];
  }
  const title = (node as { title?: unknown } | undefined)?.title;
  return typeof title === 'string' ? title : undefined;
}

/** A JSON pointer into the data (`/address/postcode`) as the dotted path errors use (`address.postcode`). */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

function violationOf(schema: Record<string, unknown>, error: ErrorObject): FieldViolation {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const pointer = `${error.instancePath}/${missing}`;
    return { field: dotted(pointer), message: `${titleAt(schema, pointer) ?? missing} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { field: dotted(`${error.instancePath}/${extra}`), message: 'is not a field of this form' };
  }
  const field = dotted(error.instancePath);
  const title = titleAt(schema, error.instancePath);
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const detail = allowed === undefined ? error.message : `must be one of ${allowed.join(', ')}`;
  return { field, message: `${title ?? 'value'} ${detail ?? 'is not valid'}` };
}

/**
 * Checks form data against a type's schema. `complete` (submission) also requires every required
 * field. Returns the violations, each with the dotted path of the field inside the data
 * (`address.postcode`; empty for the data as a whole).
 */
export function validateForm(
  schema: Record<string, unknown>,
  data: unknown,
  complete: boolean,
): FieldViolation[] {
  const validate = validatorFor(schema, complete);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => violationOf(schema, error));
}

/** Whether a JSON Schema compiles (catalogue entries are checked before they are stored). */
export function assertValidSchema(schema: Record<string, unknown>): void {
  validatorFor(schema, true);
}
