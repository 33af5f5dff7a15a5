import { BadUserInputError } from '@sportello/platform';
import { Field, ObjectType } from 'type-graphql';

/** Most items one page may hold. */
export const MAX_PAGE = 100;

@ObjectType('PracticesPageInfo', {
  description: 'Where a page ends; pass endCursor as `after` for the next.',
})
export class PageInfoType {
  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last item of this page; null when the page is empty.',
  })
  endCursor!: string | null;

  @Field({ description: 'True when more items follow.' })
  hasNextPage!: boolean;
}

/** `first` checked against the page limit. @throws BadUserInputError */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE}`, { field: 'first' });
  }
  return size;
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** @throws BadUserInputError for a cursor this service did not hand out */
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor == null || cursor === '') return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || encodeCursor(key) !== cursor) {
    throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  }
  return key;
}

export function pageInfo(
  items: readonly unknown[],
  size: number,
  keyOf: (index: number) => string,
): PageInfoType {
  return Object.assign(new PageInfoType(), {
    endCursor: items.length === 0 ? null : encodeCursor(keyOf(Math.min(items.length, size) - 1)),
    hasNextPage: items.length > size,
  });
}
