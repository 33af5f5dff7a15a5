import { NotFoundError } from '@sportello/platform';

/** No declaration with this id in the caller's comune (or none the caller may see). */
export function residenceChangeNotFound(id: string): NotFoundError {
  return new NotFoundError(`No change-of-residence declaration with id ${id}`);
}

/** No certificate with this id that the caller may download. */
export function certificateNotFound(id: string): NotFoundError {
  return new NotFoundError(`No certificate with id ${id}`);
}
