// Pure rules of the pack station (issue #12 item 4, docs/decisions/104-pack-station.md): which open
// line of the order a scanned barcode belongs to (by GTIN, i.e. by variant), whether the scanned lot
// may go into the box, and the words the packer hears and reads when it may not. A refusal changes
// nothing; an accepted scan counts one unit toward its line. No database, no Remix: the server use
// case (pack-station.server.ts) reads the facts and the route shows the answer.

/** A lot the plan (the pick list's, docs/decisions/098) takes for the line at the location. */
export interface PlannedLot {
  lotId: bigint;
  lotNumber: string;
  expiresOn: string | null;
  bin: string | null;
  quantity: number;
}

/** An order line with units left to pack, and the lots planned for it. */
export interface PackLine {
  lineItemId: bigint;
  variantId: bigint | null;
  sku: string | null;
  title: string | null;
  /** The variant's barcode as a 14-digit GTIN (null: no usable barcode, the line cannot be scanned). */
  gtin: string | null;
  /** false: any unit will do, no lot is recorded (the barcode needs no lot number). */
  lotTracked: boolean;
  /** The product's strategy is manual: no lot is planned, the packer's scan chooses it. */
  manual: boolean;
  /** Units not fulfilled yet: what the box must hold. */
  quantity: number;
  planned: PlannedLot[];
}

/** One accepted scan of this station session (the page keeps them, docs/decisions/104). */
export interface AcceptedScan {
  lineItemId: bigint;
  /** null: a line that is not lot-tracked. */
  lotId: bigint | null;
  lotNumber: string | null;
  quantity: number;
}

/** What the database says about the scanned lot, at the station's location. */
export interface ScannedLotFacts {
  lotId: bigint;
  lotNumber: string;
  status: "ACTIVE" | "QUARANTINED" | "RECALLED";
  expiresOn: string | null;
  bestBeforeOn: string | null;
  /** Units of the lot at this location (null: the lot has never been here). */
  quantityHere: number | null;
  /** The balance at this location is held in quarantine (Shopify's quality_control state). */
  quarantinedHere: boolean;
}

export type PackRefusalReason =
  | "unreadable"
  | "no-lot-in-barcode"
  | "not-this-product"
  | "line-complete"
  | "unknown-lot"
  | "recalled"
  | "quarantined"
  | "expired"
  | "not-at-location"
  | "held-for-other-orders";

export interface PackRefusal {
  reason: PackRefusalReason;
  /** What the packer reads (large, red) and hears. */
  message: string;
}

/** Units of the lot already in the box this session, over every line. */
export function scannedOfLot(accepted: readonly AcceptedScan[], lotId: bigint): number {
  return accepted.filter((a) => a.lotId === lotId).reduce((n, a) => n + a.quantity, 0);
}

/** Units of the line already in the box this session. */
export function packedCount(accepted: readonly AcceptedScan[], lineItemId: bigint): number {
  return accepted.filter((a) => a.lineItemId === lineItemId).reduce((n, a) => n + a.quantity, 0);
}

export function lineName(line: Pick<PackLine, "title" | "sku">): string {
  const title = line.title ?? "this product";
  return line.sku ? `${title} (${line.sku})` : title;
}

/**
 * The line a scanned GTIN belongs to: the first line of that product (order of the lines) that
 * still has units to pack. A product on the order whose every line is packed is "line-complete";
 * a GTIN of no line is "not-this-product".
 */
export function lineForScan(
  lines: readonly PackLine[],
  gtin: string,
  accepted: readonly AcceptedScan[],
  orderName: string,
): { line: PackLine } | { refusal: PackRefusal } {
  const ofProduct = lines.filter((l) => l.gtin !== null && l.gtin === gtin);
  if (ofProduct.length === 0) {
    return { refusal: { reason: "not-this-product", message: `Not in this order: ${orderName} has no open line for barcode ${gtin}. Put it back.` } };
  }
  const open = ofProduct.find((l) => packedCount(accepted, l.lineItemId) < l.quantity);
  if (!open) {
    const first = ofProduct[0]!;
    const total = ofProduct.reduce((n, l) => n + l.quantity, 0);
    return {
      refusal: {
        reason: "line-complete",
        message: `Already complete: ${lineName(first)} is packed (${total} of ${total}). Do not add more.`,
      },
    };
  }
  return { line: open };
}

/**
 * Why the scanned lot may not go into the box, or null when it may. A recall is said first (the
 * unit must be put aside whatever else is true), then quarantine, then the date, then presence at
 * this location, where the session's scans of the lot (`alreadyScanned`, any line) cannot exceed the
 * units the location holds. `today` is 'YYYY-MM-DD'.
 */
export function lotRefusal(lot: ScannedLotFacts, line: PackLine, locationName: string, today: string, alreadyScanned = 0): PackRefusal | null {
  const what = `lot ${lot.lotNumber}`;
  if (lot.status === "RECALLED") return { reason: "recalled", message: `STOP: ${what} is RECALLED. Do not pack it: put it aside for the recall.` };
  if (lot.status === "QUARANTINED" || lot.quarantinedHere) {
    return { reason: "quarantined", message: `Quarantined: ${what} is on hold. Do not pack it: take a unit of another lot.` };
  }
  if (lot.expiresOn !== null && lot.expiresOn < today) {
    return { reason: "expired", message: `Expired: ${what} expired on ${lot.expiresOn}. Do not pack it: take a unit of another lot.` };
  }
  if (lot.expiresOn === null && lot.bestBeforeOn !== null && lot.bestBeforeOn < today) {
    return { reason: "expired", message: `Past best-before: ${what} was best before ${lot.bestBeforeOn}. Do not pack it: take a unit of another lot.` };
  }
  if (lot.quantityHere === null || lot.quantityHere <= 0) {
    return {
      reason: "not-at-location",
      message: `Not at this location: ${what} of ${lineName(line)} has no units at ${locationName}. Take a unit from this location's stock.`,
    };
  }
  if (lot.quantityHere <= alreadyScanned) {
    return {
      reason: "not-at-location",
      message: `Not at this location: ${what} has only ${lot.quantityHere} at ${locationName}, all scanned already. Check the label, or take a unit of another lot.`,
    };
  }
  return null;
}

export function unknownLotRefusal(lotNumber: string, line: PackLine): PackRefusal {
  return { reason: "unknown-lot", message: `Unknown lot: ${lotNumber} is not a lot of ${lineName(line)}. Check the label, or receive the lot first.` };
}

export function noLotRefusal(line: PackLine): PackRefusal {
  return {
    reason: "no-lot-in-barcode",
    message: `No lot in this barcode: ${lineName(line)} is lot-tracked. Scan the GS1 barcode with the lot number (10) on the label.`,
  };
}

/**
 * Whether the unit was planned: the plan still has a unit of this lot for the line once the scans
 * already taken from that lot are counted. A scan that is not planned moves the reservation.
 */
export function isPlannedUnit(line: PackLine, lotId: bigint, accepted: readonly AcceptedScan[]): boolean {
  const planned = line.planned.filter((p) => p.lotId === lotId).reduce((n, p) => n + p.quantity, 0);
  const taken = accepted.filter((a) => a.lineItemId === line.lineItemId && a.lotId === lotId).reduce((n, a) => n + a.quantity, 0);
  return taken < planned;
}

/** The session's scans with one more unit: merged into the row of the same line and lot. */
export function addAcceptedScan(accepted: readonly AcceptedScan[], scan: AcceptedScan): AcceptedScan[] {
  const i = accepted.findIndex((a) => a.lineItemId === scan.lineItemId && a.lotId === scan.lotId);
  if (i < 0) return [...accepted, scan];
  return accepted.map((a, j) => (j === i ? { ...a, quantity: a.quantity + scan.quantity } : a));
}

/**
 * The scans the page sends back, checked against the order: each names an open line of it, and no
 * line holds more than its open quantity. Anything else is a stale or altered page (reload it).
 */
export function checkAcceptedScans(lines: readonly PackLine[], accepted: readonly AcceptedScan[]): string | null {
  for (const a of accepted) {
    const line = lines.find((l) => l.lineItemId === a.lineItemId);
    if (!line) return `the scans on the page name line ${a.lineItemId}, which has nothing left to pack: reload the order`;
    if (!Number.isInteger(a.quantity) || a.quantity <= 0) return "the scans on the page are not valid: reload the order";
  }
  for (const line of lines) {
    if (packedCount(accepted, line.lineItemId) > line.quantity) return `the scans on the page are more than ${lineName(line)} needs: reload the order`;
  }
  return null;
}

/** True when every line's units are in the box. */
export function isOrderPacked(lines: readonly PackLine[], accepted: readonly AcceptedScan[]): boolean {
  return lines.every((l) => packedCount(accepted, l.lineItemId) >= l.quantity);
}
