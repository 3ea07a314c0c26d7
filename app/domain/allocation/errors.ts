// Errors of allocation use cases: each says what went wrong and what to do about it.
import { DomainError } from "../errors";

// A lot that is not the shop's is the lots context's LotNotFoundError (one class for the idea),
// re-exported for callers that take all of an allocation move's errors from here.
export { LotNotFoundError } from "../lots/lot-errors";

export class AllocationNotFoundError extends DomainError {
  override name = "AllocationNotFoundError";
  constructor(allocationId: bigint | string) {
    super(`allocation ${allocationId} does not exist in this shop (see lotkeeper allocations list)`);
  }
}

export class AllocationNotMovableError extends DomainError {
  override name = "AllocationNotMovableError";
}

export class LotVariantMismatchError extends DomainError {
  override name = "LotVariantMismatchError";
}

export class OrderNotFoundError extends DomainError {
  override name = "OrderNotFoundError";
  constructor(orderId: bigint | string) {
    super(`order ${orderId} is not known in this shop (no order, fulfilment or refund webhook has named it yet)`);
  }
}

export class FulfilmentWithoutLocationError extends DomainError {
  override name = "FulfilmentWithoutLocationError";
  constructor(fulfilmentId: bigint) {
    super(`fulfilment ${fulfilmentId} is successful but has no location_id: units cannot be taken from a lot without a location`);
  }
}
