// Typed errors of the privacy context.
import { DomainError } from "../errors";

/** A page cursor the data-request list did not give out. */
export class DataRequestCursorError extends DomainError {
  override name = "DataRequestCursorError";
  constructor(cursor: string) {
    super(`invalid page cursor "${cursor}": pass the nextCursor of the previous page, or none for the first page`);
  }
}
