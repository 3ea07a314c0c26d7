// Errors of selling by lot at the point of sale: each says what went wrong and what to do.
import { DomainError } from "../errors";

export class VariantNotFoundError extends DomainError {
  override name = "VariantNotFoundError";
  constructor(variantId: bigint) {
    super(`variant ${variantId} is not known in this shop: Lotkeeper learns products from Shopify's products webhooks, try again in a minute`);
  }
}
