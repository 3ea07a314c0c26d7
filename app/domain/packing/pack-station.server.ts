// The pack station (issue #12 item 4, docs/decisions/104-pack-station.md): the packer opens an
// order, sees its open lines with the lot planned for each (the pick list's plan,
// app/domain/picking/), and scans every unit's GS1 barcode into the box. Each scan is checked here
// against the order and the lot's state at the station's location; a refusal changes nothing.
// The scans accepted so far belong to the station session and travel with the page (decision 104).
import { pool } from "../../db.server";
import { shopDay } from "../shops/shop-day.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { OrderNotFoundError } from "../allocation/errors";
import { findOrdersByName } from "../overview/choices.server";
import { Gs1Error, parseGs1, type Gs1Result } from "../gs1/gs1";
import { pickListForOrder } from "../picking/pick-list.server";
import { ReservationError } from "../reservations/errors";
import { moveReservationToLot } from "../reservations/reservations.server";
import { PackStationInputError } from "./errors";
import {
  addAcceptedScan,
  checkAcceptedScans,
  isOrderPacked,
  isPlannedUnit,
  lineForScan,
  lineName,
  lotRefusal,
  noLotRefusal,
  scannedOfLot,
  unknownLotRefusal,
  type AcceptedScan,
  type PackLine,
  type PackRefusal,
  type PlannedLot,
  type ScannedLotFacts,
} from "./pack-rules";

export interface PackOrder {
  order: { id: bigint; name: string };
  location: { id: bigint; name: string };
  /** What the planned lots are based on: the pick list's plan (decision 098). */
  basis: "balances" | "reservations";
  /** Lines with units left to pack, in line order. */
  lines: PackLine[];
}

interface Options {
  db?: Db;
  now?: Date;
}

/**
 * The order as the station shows it: its open lines with their planned lots at the location (the
 * one given, else that of the order's open fulfilment). Another shop's order is not found.
 */
export async function openPackOrder(shopId: number, orderRef: string, locationId: bigint | undefined, options: Options = {}): Promise<PackOrder> {
  const db = options.db ?? pool();
  const ref = orderRef.trim();
  if (ref === "") throw new PackStationInputError("type or scan the order first (its name, e.g. #1001, or its id)");
  const list = await pickListForOrder(shopId, ref, locationId, { db, now: options.now });
  const order = list.orders[0] ?? (await findOrdersByName(db, shopId, ref.replace(/^gid:\/\/shopify\/Order\//, "")))[0];
  if (!order) throw new OrderNotFoundError(ref);
  const gtins = await variantGtins(db, shopId, [...new Set(list.rows.flatMap((r) => (r.variantId === null ? [] : [r.variantId.toString()])))]);
  const lines = new Map<bigint, PackLine>();
  for (const row of list.rows) {
    const line = lines.get(row.lineItemId) ?? {
      lineItemId: row.lineItemId,
      variantId: row.variantId,
      sku: row.sku,
      title: row.title,
      gtin: row.variantId === null ? null : (gtins.get(row.variantId.toString()) ?? null),
      lotTracked: true,
      manual: false,
      quantity: 0,
      planned: [] as PlannedLot[],
    };
    line.quantity += row.quantity;
    if (row.status === "not-lot-tracked") line.lotTracked = false;
    if (row.status === "manual") line.manual = true;
    if (row.status === "pick" && row.lotId !== null && row.lotNumber !== null) {
      line.planned.push({ lotId: row.lotId, lotNumber: row.lotNumber, expiresOn: row.expiresOn, bin: row.bin, quantity: row.quantity });
    }
    lines.set(row.lineItemId, line);
  }
  return {
    order: { id: order.id, name: order.name ?? order.id.toString() },
    location: { id: list.location.id, name: list.location.name ?? `location ${list.location.id}` },
    basis: list.basis,
    lines: [...lines.values()].sort((a, b) => (a.lineItemId < b.lineItemId ? -1 : a.lineItemId > b.lineItemId ? 1 : 0)),
  };
}

export interface PackScanInput {
  order: string;
  locationId: bigint | undefined;
  /** What the scanner (or the packer) typed. */
  scan: string;
  /** The station session's accepted scans so far. */
  accepted: AcceptedScan[];
}

export type PackScanResult =
  | {
      accepted: true;
      message: string;
      line: PackLine;
      lotId: bigint | null;
      lotNumber: string | null;
      /** false: the unit is from another lot than planned, so the line's reservation moves to it. */
      plannedLot: boolean;
      /** The session's scans including this one. */
      scans: AcceptedScan[];
      orderPacked: boolean;
      packOrder: PackOrder;
    }
  | { accepted: false; refusal: PackRefusal; packOrder: PackOrder };

/**
 * Checks one scanned unit against the order: the line it belongs to (by GTIN), then its lot
 * (known for that product, not recalled, not quarantined, not expired, on hand at this location).
 * An accepted unit counts toward its line; a unit of another lot than planned moves the line's
 * reservation to the scanned lot, in the same transaction as the check.
 */
export async function scanAtPackStation(shopId: number, input: PackScanInput, options: Options = {}): Promise<PackScanResult> {
  const now = options.now ?? new Date();
  return withTransaction(async (sql) => {
    const packOrder = await openPackOrder(shopId, input.order, input.locationId, { db: sql, now });
    const stale = checkAcceptedScans(packOrder.lines, input.accepted);
    if (stale) throw new PackStationInputError(stale);
    const refused = (refusal: PackRefusal): PackScanResult => ({ accepted: false, refusal, packOrder });

    const read = readBarcode(input.scan, now);
    if ("refusal" in read) return refused(read.refusal);
    const found = lineForScan(packOrder.lines, read.gtin, input.accepted, packOrder.order.name);
    if ("refusal" in found) return refused(found.refusal);
    const { line } = found;

    if (!line.lotTracked) return acceptedScan(packOrder, line, null, null, true, input.accepted);
    if (read.lot === null) return refused(noLotRefusal(line));
    const lot = await scannedLot(sql, shopId, line.variantId!, read.lot, packOrder.location.id);
    if (!lot) return refused(unknownLotRefusal(read.lot, line));
    const refusal = lotRefusal(lot, line, packOrder.location.name, await shopDay(sql, shopId, now), scannedOfLot(input.accepted, lot.lotId));
    if (refusal) return refused(refusal);

    const plannedLot = isPlannedUnit(line, lot.lotId, input.accepted);
    if (!plannedLot) {
      // The reservation follows the unit in the box (issue #12 item 4): the line's reserved units
      // move to the scanned lot in this transaction, so the fulfilment allocates what was packed.
      // Units of that lot held for other orders are not taken: the packer is told to take another.
      try {
        await moveReservationToLot(
          sql,
          shopId,
          { orderId: packOrder.order.id, lineItemId: line.lineItemId, locationId: packOrder.location.id, lotId: lot.lotId, quantity: 1, source: "SCAN" },
          { cause: "USER", ref: "pack station" },
          now,
        );
      } catch (error) {
        if (!(error instanceof ReservationError)) throw error;
        return refused({
          reason: "held-for-other-orders",
          message: `Held for other orders: every unit of ${lot.lotNumber} here is reserved. Take a unit of another lot.`,
        });
      }
    }
    return acceptedScan(packOrder, line, lot.lotId, lot.lotNumber, plannedLot, input.accepted);
  });
}

function acceptedScan(
  packOrder: PackOrder,
  line: PackLine,
  lotId: bigint | null,
  lotNumber: string | null,
  plannedLot: boolean,
  accepted: AcceptedScan[],
): PackScanResult {
  const scans = addAcceptedScan(accepted, { lineItemId: line.lineItemId, lotId, lotNumber, quantity: 1 });
  const packed = scans.filter((s) => s.lineItemId === line.lineItemId).reduce((n, s) => n + s.quantity, 0);
  const lotWords = lotNumber === null ? "" : `, lot ${lotNumber}${plannedLot ? "" : ` (${plannedWords(line)})`}`;
  const orderPacked = isOrderPacked(packOrder.lines, scans);
  const message = `OK: ${lineName(line)}${lotWords}. ${packed} of ${line.quantity} packed.${orderPacked ? ` Order ${packOrder.order.name} is complete.` : ""}`;
  return { accepted: true, message, line, lotId, lotNumber, plannedLot, scans, orderPacked, packOrder };
}

function plannedWords(line: PackLine): string {
  if (line.planned.length > 0) return `not the planned lot: ${line.planned.map((p) => p.lotNumber).join(", ")}`;
  return line.manual ? "chosen by this scan: the product's lots are chosen by hand" : "no lot was planned: none was available";
}

/** The scan's GTIN and lot, or why it cannot be used (unreadable, or no product number in it). */
function readBarcode(text: string, now: Date): { gtin: string; lot: string | null } | { refusal: PackRefusal } {
  let parsed: Gs1Result;
  try {
    parsed = parseGs1(text, { today: now });
  } catch (error) {
    if (!(error instanceof Gs1Error)) throw error;
    return { refusal: { reason: "unreadable", message: `Barcode not read: ${error.message}. Scan again, or type it.` } };
  }
  if (parsed.gtin === null) {
    return { refusal: { reason: "unreadable", message: "Barcode not read: it holds no product number (GTIN, AI 01). Scan the product's GS1 barcode." } };
  }
  return { gtin: parsed.gtin, lot: parsed.lot };
}

/** Variant id -> the variant's barcode as 14 digits, compared as variantsByGtin does (lpad to 14). */
async function variantGtins(db: Db, shopId: number, variantIds: string[]): Promise<Map<string, string>> {
  if (variantIds.length === 0) return new Map();
  const r = await db.query<{ id: string; gtin: string }>(
    `select id::text, lpad(barcode, 14, '0') as gtin from variants
      where shop_id = $1 and id = any($2::bigint[]) and barcode ~ '^[0-9]{8,14}$'`,
    [shopId, variantIds],
  );
  return new Map(r.rows.map((row) => [row.id, row.gtin]));
}

/** The lot of this product with the scanned number, and its balance at the location (if any). */
async function scannedLot(db: Db, shopId: number, variantId: bigint, lotNumber: string, locationId: bigint): Promise<ScannedLotFacts | null> {
  const r = await db.query<{
    id: bigint;
    lot_number: string;
    status: ScannedLotFacts["status"];
    expires_on: string | null;
    best_before_on: string | null;
    quantity: number | null;
    quarantined: boolean | null;
  }>(
    `select l.id, l.lot_number, l.status, l.expires_on, l.best_before_on, b.quantity, b.quarantined
       from lots l left join lot_balances b on b.shop_id = l.shop_id and b.lot_id = l.id and b.location_id = $4
      where l.shop_id = $1 and l.variant_id = $2 and l.lot_number = $3`,
    [shopId, variantId.toString(), lotNumber, locationId.toString()],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    lotId: row.id,
    lotNumber: row.lot_number,
    status: row.status,
    expiresOn: row.expires_on,
    bestBeforeOn: row.best_before_on,
    quantityHere: row.quantity,
    quarantinedHere: row.quarantined ?? false,
  };
}
