// Errors of reservation use cases (the pack station's scans, the CLI): each says what went wrong
// and what to do about it.
import { DomainError } from "../errors";

export class ReservationError extends DomainError {
  override name = "ReservationError";
}

export class OrderLineNotFoundError extends ReservationError {
  override name = "OrderLineNotFoundError";
  constructor(orderId: bigint, lineItemId: bigint) {
    super(`order ${orderId} has no lot-tracked line ${lineItemId} (is the order webhook processed? lotkeeper orders show ${orderId})`);
  }
}

export class LotNotShippableHereError extends ReservationError {
  override name = "LotNotShippableHereError";
  constructor(lotId: bigint, locationId: bigint) {
    super(
      `lot ${lotId} cannot ship this line from location ${locationId}: it is another product's lot, has no units there, is quarantined, recalled or too close to expiry`,
    );
  }
}

export class NotEnoughAvailableError extends ReservationError {
  override name = "NotEnoughAvailableError";
  constructor(lotNumber: string, locationId: bigint, available: number, wanted: number) {
    super(`lot ${lotNumber} has ${available} units at location ${locationId} that no order holds, fewer than ${wanted}: scan another lot or fewer units`);
  }
}

export class ReservationExceedsOpenQuantityError extends ReservationError {
  override name = "ReservationExceedsOpenQuantityError";
}
