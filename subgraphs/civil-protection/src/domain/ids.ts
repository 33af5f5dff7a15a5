const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a string can be the id of a record here (a UUID). Checked before querying, so a
 * malformed id reads as "not found" instead of a database type error.
 */
export function isPublicId(id: string): boolean {
  return UUID.test(id);
}
