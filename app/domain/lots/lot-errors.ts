// Typed errors of the lots context. Each message says what is wrong and what to do; routes map
// them to 4xx answers and the CLI prints them as one line.
import { DomainError } from "../errors";

export class LotError extends DomainError {
  override name = "LotError";
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Input that breaks a rule (quantity, dates, lot number ...). Lists every problem, not just the first. */
export class LotValidationError extends LotError {
  override name = "LotValidationError";
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  }
}

export class UnknownVariantError extends LotError {
  override name = "UnknownVariantError";
}

/** A barcode on several variants: the caller must say which. */
export class AmbiguousVariantError extends LotError {
  override name = "AmbiguousVariantError";
}

export class UnknownLocationError extends LotError {
  override name = "UnknownLocationError";
}

/** A lookup Shopify must answer could not be made (outage, throttle): try again later. */
export class ShopifyLookupError extends LotError {
  override name = "ShopifyLookupError";
}

export class LotNotFoundError extends LotError {
  override name = "LotNotFoundError";
}

/** Receiving into an existing lot with dates that contradict the ones it has. */
export class LotConflictError extends LotError {
  override name = "LotConflictError";
}

/** A lot number that exists on several variants, used without saying which. */
export class AmbiguousLotError extends LotError {
  override name = "AmbiguousLotError";
  constructor(
    readonly lotNumber: string,
    readonly variants: { variantId: bigint; sku: string | null; title: string | null }[],
  ) {
    super(
      `lot "${lotNumber}" exists on ${variants.length} variants: ${variants
        .map((v) => `${v.variantId}${v.sku ? ` (${v.sku})` : ""}`)
        .join(", ")}; say which with the variant id (--variant)`,
    );
  }
}

/** The lot's state does not allow the operation (e.g. releasing a recalled lot). */
export class LotStateError extends LotError {
  override name = "LotStateError";
}

export class ShopNotFoundError extends LotError {
  override name = "ShopNotFoundError";
}
