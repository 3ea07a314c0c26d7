// Errors of pick lists: each says what went wrong and what to do about it.
import { DomainError } from "../errors";

export class PickListLocationRequiredError extends DomainError {
  override name = "PickListLocationRequiredError";
  constructor(orderName: string) {
    super(`order ${orderName} has no open fulfilment with a known location: give the location to pick from (--location <id>, or ?location= on the page)`);
  }
}

export class LocationNotFoundError extends DomainError {
  override name = "LocationNotFoundError";
  constructor(locationId: bigint) {
    super(`location ${locationId} is not known in this shop (no locations webhook, lot receipt or fulfilment has named it)`);
  }
}

export class OrderNotOpenError extends DomainError {
  override name = "OrderNotOpenError";
  constructor(orderName: string) {
    super(`order ${orderName} is cancelled: there is nothing to pick`);
  }
}
