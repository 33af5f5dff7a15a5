import { NotFoundError } from '@sportello/platform';

/** No dead or uncertain delivery with this id in the caller's comune. */
export class DeadLetterNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No dead or uncertain delivery with id ${id} in this comune.`);
  }
}
