// Typed errors of recalls and trace: each says what went wrong and what to do.
import { DomainError } from "../errors";
export class RecallError extends DomainError {
  override name = "RecallError";
}

export class LotNotFoundError extends RecallError {
  override name = "LotNotFoundError";
  constructor(lotNumber: string, variantId?: bigint) {
    super(
      variantId === undefined
        ? `lot "${lotNumber}" was not found in this shop: check the lot number (lotkeeper lots list)`
        : `lot "${lotNumber}" of variant ${variantId} was not found in this shop: check the lot number and the variant id`,
    );
  }
}

export class RecallNotFoundError extends RecallError {
  override name = "RecallNotFoundError";
  constructor(recallId: string) {
    super(`recall ${recallId} was not found in this shop: list the shop's recalls with lotkeeper recall list`);
  }
}

export class RecallClosedError extends RecallError {
  override name = "RecallClosedError";
  constructor(recallId: string) {
    super(`recall ${recallId} is closed: a closed recall cannot be changed; open a new one if the case continues`);
  }
}

export class InvalidCursorError extends RecallError {
  override name = "InvalidCursorError";
  constructor(cursor: string) {
    super(`invalid page cursor "${cursor}": pass the nextCursor of the previous page, or none for the first page`);
  }
}

export class RecallInputError extends RecallError {
  override name = "RecallInputError";
}
