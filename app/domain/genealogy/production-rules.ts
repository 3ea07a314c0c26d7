// Pure rules of a production run (no database): what a valid request is, and how the CLI writes
// an input ("<lot number>[@<variant id>]:<quantity>").
import { DomainError } from "../errors";
import { parseId } from "../../lib/ids";

export type ProductionKind = "KIT" | "ASSEMBLY" | "REPACK";

export class ProductionError extends DomainError {
  override name = "ProductionError";
}

export interface ProductionInputSpec {
  lotNumber: string;
  variantId?: bigint;
  quantity: number;
}

export interface ProductionRequest {
  kind: ProductionKind;
  outputVariantId: bigint;
  outputLotNumber: string;
  /** Units of the output made. */
  quantity: number;
  locationId: bigint;
  inputs: ProductionInputSpec[];
  /** Output lot expiry; default: the earliest expiry among the inputs. */
  expiresOn?: string;
  reference?: string;
  /** When the run happened (default: now). The demo replays a day that began hours ago. */
  producedAt?: Date;
}

export function parseProductionKind(value: string): ProductionKind {
  const kind = value.trim().toUpperCase();
  if (kind === "KIT" || kind === "ASSEMBLY" || kind === "REPACK") return kind;
  throw new ProductionError(`unknown production kind "${value}": use kit, assembly or repack`);
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new ProductionError(`${what} must be a positive whole number, got ${value}`);
  return value;
}

/** "WAX-7:12", "WAX-7@4455:12" (lot WAX-7 of variant 4455). The lot number may itself contain ':' or '@'. */
export function parseInputSpec(text: string): ProductionInputSpec {
  const colon = text.lastIndexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw new ProductionError(`input "${text}" must be <lot number>[@<variant id>]:<quantity>, e.g. WAX-7:12 or WAX-7@4455:12`);
  }
  const qtyText = text.slice(colon + 1).trim();
  if (!/^\d+$/.test(qtyText)) throw new ProductionError(`input "${text}": quantity "${qtyText}" must be a positive whole number`);
  let lotPart = text.slice(0, colon);
  let variantId: bigint | undefined;
  const at = /^(.*)@(\d+)$/s.exec(lotPart);
  if (at && at[1]) {
    lotPart = at[1];
    variantId = parseId(at[2]) ?? undefined;
    if (variantId === undefined) throw new ProductionError(`input "${text}": variant id ${at[2]} is not an id`);
  }
  const lotNumber = lotPart.trim();
  if (lotNumber === "") throw new ProductionError(`input "${text}" has no lot number`);
  return { lotNumber, variantId, quantity: positiveInteger(Number(qtyText), `input "${text}": quantity`) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateProduction(request: ProductionRequest): ProductionRequest {
  positiveInteger(request.quantity, "output quantity");
  const lot = request.outputLotNumber.trim();
  if (lot.length < 1 || lot.length > 64 || !/^[\x20-\x7e]+$/.test(lot)) {
    throw new ProductionError(`output lot number "${request.outputLotNumber}" must be 1-64 printable characters`);
  }
  if (request.inputs.length === 0) throw new ProductionError("a production run needs at least one input lot (--input <lot>:<quantity>)");
  for (const input of request.inputs) positiveInteger(input.quantity, `quantity of input lot "${input.lotNumber}"`);
  if (request.expiresOn !== undefined) {
    const d = new Date(`${request.expiresOn}T00:00:00Z`);
    if (!DATE.test(request.expiresOn) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== request.expiresOn) {
      throw new ProductionError(`expiry "${request.expiresOn}" is not a real date (YYYY-MM-DD)`);
    }
  }
  if (
    request.producedAt !== undefined &&
    (!(request.producedAt instanceof Date) || Number.isNaN(request.producedAt.getTime()) || request.producedAt.getTime() > Date.now())
  ) {
    throw new ProductionError(`production time "${String(request.producedAt)}" must be a date that is not in the future`);
  }
  return { ...request, outputLotNumber: lot };
}
