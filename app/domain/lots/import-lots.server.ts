// Onboarding: lots from a CSV file. A dry run lists every bad row (row number, column, reason);
// a real run checks the same way, then imports all rows in ONE transaction, or nothing when any
// row is bad.
// Two modes:
//   - "opening-stock" (default): the file describes stock Shopify ALREADY counts (the merchant
//     installs the app with goods on the shelf). Shopify is not changed; units that reconciliation
//     had put in an incomplete UNLOTTED lot at the same variant and location are taken from it
//     first (the import is the merchant completing that lot), so nothing is counted twice.
//   - "receipts": the file lists goods arriving now. Shopify is raised through the outbox in
//     batches (one inventoryAdjustQuantities per 100 changes), referenced to the import task.
// The admin runs the real import in the background (import-task.server.ts): it passes the task row
// it made and a progress callback; the CLI calls this directly and waits.
import { withTransaction, type Db } from "../../lib/sql.server";
import { pool } from "../../db.server";
import { moveLotUnits } from "../ledger/ledger.server";
import { addOutboxEntry, queueOutboxEntries } from "../sync/outbox.server";
import { adjustPayload, lotkeeperUri } from "../sync/inventory-changes";
import { resolveLocation, resolveVariant, type KnownVariant } from "../catalog/catalog.server";
import { CsvError, parseCsv, readCsvText, type CsvRecord, type CsvSource } from "./csv";
import { dateConflicts, validateReceipt, type LotDates, type ReceiptInput, type ValidReceipt } from "./lot-rules";
import { LotError, LotValidationError } from "./lot-errors";
import { receiveInTransaction, type MovementContext } from "./receive-lot.server";

/** Columns, by header name (case-insensitive; aliases in brackets in the README). */
export const CSV_COLUMNS = {
  variant_id: ["variant_id", "variant"],
  sku: ["sku"],
  lot_number: ["lot_number", "lot"],
  quantity: ["quantity", "qty"],
  location_id: ["location_id", "location"],
  expires_on: ["expires_on", "expires", "expiry"],
  best_before_on: ["best_before_on", "best_before"],
  produced_on: ["produced_on", "produced"],
  supplier: ["supplier"],
  supplier_lot: ["supplier_lot"],
  purchase_order: ["purchase_order", "po"],
  unit_cost: ["unit_cost", "cost"],
  currency: ["currency"],
  notes: ["notes"],
  gtin: ["gtin"],
  bin: ["bin"],
} as const;

type Column = keyof typeof CSV_COLUMNS;

/** validateReceipt's field names -> CSV column names, so a problem names the column the merchant sees. */
const FIELD_TO_COLUMN: Record<string, Column> = {
  variant: "variant_id",
  lot: "lot_number",
  quantity: "quantity",
  location: "location_id",
  expires: "expires_on",
  "best-before": "best_before_on",
  produced: "produced_on",
  supplier: "supplier",
  "supplier-lot": "supplier_lot",
  po: "purchase_order",
  cost: "unit_cost",
  currency: "currency",
  notes: "notes",
  gtin: "gtin",
  bin: "bin",
};

export interface ImportProblem {
  /** Record number as a spreadsheet shows it: the header is row 1. 0 for the file itself. */
  row: number;
  column: string | null;
  reason: string;
}

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  imported: number;
  /** Lots that will be (dry run) or were created, and receipts into lots that exist. */
  lotsCreated: number;
  receiptsIntoExistingLots: number;
  units: number;
  errors: ImportProblem[];
  taskId: bigint | null;
  mode: ImportMode;
  /** Opening stock: units taken from incomplete (reconciliation-made) lots the import replaces. */
  unitsFromIncompleteLots: number;
}

export type ImportMode = "opening-stock" | "receipts";

export const MAX_IMPORT_ROWS = 50_000;

const tooManyRows = (max: number) => `the file has more than ${max} rows; split the file`;

/**
 * The text of an import file, read as it arrives (an upload's stream, a file's read stream):
 * strict UTF-8 (a file in another encoding is refused with the encoding it seems to be in) and at
 * most MAX_IMPORT_ROWS rows, refused at the row over the limit without reading the rest.
 * Throws CsvError; importLotsCsv then checks and imports the text.
 */
export async function readImportFile(source: CsvSource): Promise<string> {
  return readCsvText(source, { maxRecords: MAX_IMPORT_ROWS + 1, tooManyRecords: (max) => tooManyRows(max - 1) });
}

export interface ImportOptions {
  dryRun: boolean;
  mode?: ImportMode;
  ctx?: MovementContext;
  /**
   * Import under this RUNNING lots.import task row (a background import) instead of creating one.
   * The row turns DONE in the import's own transaction; when it is not RUNNING any more (another
   * run finished it), nothing is imported and ImportTaskEndedError is thrown.
   */
  taskId?: bigint;
  /**
   * Called after each imported row while the import's transaction is still open: rows written so
   * far are not visible to others, so report progress on another connection (pool()).
   */
  onProgress?: (done: number, total: number) => Promise<void> | void;
}

/** The task given to importLotsCsv is DONE or FAILED already: that run has nothing left to do. */
export class ImportTaskEndedError extends Error {
  constructor(readonly taskId: bigint) {
    super(`import task ${taskId} has already ended; nothing was imported again`);
    this.name = "ImportTaskEndedError";
  }
}

/** The whole file checked, or imported in one transaction. Errors are returned, not thrown. */
export async function importLotsCsv(shopId: number, text: string, options: ImportOptions): Promise<ImportReport> {
  const mode = options.mode ?? "opening-stock";
  const report: ImportReport = {
    dryRun: options.dryRun,
    mode,
    rows: 0,
    imported: 0,
    lotsCreated: 0,
    receiptsIntoExistingLots: 0,
    units: 0,
    unitsFromIncompleteLots: 0,
    errors: [],
    taskId: null,
  };
  const checked = await checkFile(shopId, text, report);
  if (report.errors.length > 0 || options.dryRun) return report;
  const ctx = options.ctx ?? { cause: "USER" as const };
  try {
    const { taskId, outboxIds } = await withTransaction(async (sql) => {
      const taskId = options.taskId === undefined ? await createImportTask(sql, shopId, checked.length) : await claimImportTask(sql, shopId, options.taskId);
      let done = 0;
      const changes = new Map<string, { inventoryItemId: bigint; locationId: bigint; delta: number; quarantined: boolean }>();
      for (const row of checked) {
        let r;
        try {
          r = await receiveInTransaction(
            sql,
            shopId,
            row.receipt,
            row.variant,
            { cause: ctx.cause, causeRef: ctx.causeRef ?? `import:${taskId}` },
            { sync: false },
          );
        } catch (error) {
          if (error instanceof LotError) throw new RowError(row.row, null, error.message);
          throw error;
        }
        if (mode === "opening-stock") {
          report.unitsFromIncompleteLots += await replaceIncompleteUnits(sql, shopId, row.receipt, r.lotId, r.lotNumber, taskId, ctx);
        } else if (row.variant.inventoryItemId) {
          const key = `${row.variant.inventoryItemId}:${row.receipt.locationId}:${r.quarantined}`;
          const c = changes.get(key) ?? {
            inventoryItemId: row.variant.inventoryItemId,
            locationId: row.receipt.locationId,
            delta: 0,
            quarantined: r.quarantined,
          };
          c.delta += row.receipt.quantity;
          changes.set(key, c);
        }
        await options.onProgress?.(++done, checked.length);
      }
      const outboxIds = await writeImportOutbox(sql, shopId, taskId, [...changes.values()]);
      const finished = await sql.query(
        `update tasks set status = 'DONE', done = total, result = $2::jsonb, input = null, updated_at = now() where id = $1 and status = 'RUNNING'`,
        [
          taskId,
          JSON.stringify({
            mode,
            imported: checked.length,
            lotsCreated: report.lotsCreated,
            units: report.units,
            unitsFromIncompleteLots: report.unitsFromIncompleteLots,
          }),
        ],
      );
      if (finished.rowCount !== 1) throw new ImportTaskEndedError(taskId);
      return { taskId, outboxIds };
    });
    await queueOutboxEntries(outboxIds);
    report.taskId = taskId;
    report.imported = checked.length;
  } catch (error) {
    if (error instanceof RowError) {
      report.errors.push({ row: error.row, column: error.column, reason: error.message });
      return report;
    }
    throw error;
  }
  return report;
}

async function createImportTask(sql: Db, shopId: number, total: number): Promise<bigint> {
  const task = await sql.query<{ id: bigint }>(
    `insert into tasks (shop_id, kind, status, done, total, updated_at) values ($1, 'lots.import', 'RUNNING', 0, $2, now()) returning id`,
    [shopId, total],
  );
  return task.rows[0]!.id;
}

/**
 * One run at a time per task (a transaction-scoped advisory lock, so the row itself stays free
 * for progress updates from another connection), and only while the task is RUNNING: a run that
 * waited for another one to commit sees DONE here and imports nothing.
 */
async function claimImportTask(sql: Db, shopId: number, taskId: bigint): Promise<bigint> {
  await sql.query(`select pg_advisory_xact_lock(hashtext('tasks'), ($1::bigint % 2147483647)::int)`, [taskId]);
  const task = await sql.query<{ status: string }>(`select status from tasks where id = $1 and shop_id = $2 and kind = 'lots.import'`, [taskId, shopId]);
  if (task.rows[0]?.status !== "RUNNING") throw new ImportTaskEndedError(taskId);
  return taskId;
}

class RowError extends Error {
  constructor(
    readonly row: number,
    readonly column: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opening stock: takes up to the row's quantity from incomplete lots of the same variant at the
 * same location (oldest first). Both sides are RECONCILED ledger entries; Shopify is unchanged.
 */
async function replaceIncompleteUnits(
  sql: Db,
  shopId: number,
  receipt: ValidReceipt,
  importedLotId: bigint,
  importedLotNumber: string,
  taskId: bigint,
  ctx: MovementContext,
): Promise<number> {
  const incomplete = await sql.query<{ lot_id: bigint; quantity: number }>(
    `select b.lot_id, b.quantity from lot_balances b join lots l on l.id = b.lot_id
     where b.shop_id = $1 and b.variant_id = $2 and b.location_id = $3 and l.incomplete and b.quantity > 0 and b.lot_id <> $4
     order by b.lot_id for update of b`,
    [shopId, receipt.variantId, receipt.locationId, importedLotId],
  );
  let left = receipt.quantity;
  const movements = [];
  for (const b of incomplete.rows) {
    if (left === 0) break;
    const take = Math.min(left, b.quantity);
    left -= take;
    movements.push({
      shopId,
      lotId: b.lot_id,
      locationId: receipt.locationId,
      delta: -take,
      kind: "RECONCILED" as const,
      cause: ctx.cause,
      causeRef: `import:${taskId}`,
      reason: `units identified as lot ${importedLotNumber} by the import`,
    });
  }
  if (movements.length > 0) await moveLotUnits(sql, movements);
  return receipt.quantity - left;
}

async function writeImportOutbox(
  sql: Db,
  shopId: number,
  taskId: bigint,
  changes: { inventoryItemId: bigint; locationId: bigint; delta: number; quarantined: boolean }[],
): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const quarantined of [false, true]) {
    const group = changes.filter((c) => c.quarantined === quarantined);
    for (let i = 0; i < group.length; i += 100) {
      const chunk = group.slice(i, i + 100);
      ids.push(
        await addOutboxEntry(sql, {
          shopId,
          kind: "inventory.adjust",
          idempotencyKey: `import:${taskId}:${quarantined ? "qc" : "available"}:${i / 100}`,
          payload: adjustPayload({
            name: quarantined ? "quality_control" : "available",
            reason: "received",
            referenceDocumentUri: lotkeeperUri("Import", taskId),
            changes: chunk,
          }),
        }),
      );
    }
  }
  return ids;
}

interface CheckedRow {
  row: number;
  receipt: ValidReceipt;
  variant: KnownVariant;
}

/** A file whose header names known columns: its data records and where each column is. */
interface ImportTable {
  header: CsvRecord;
  data: CsvRecord[];
  index: Map<Column, number>;
}

type ResolvedVariants = Map<string, KnownVariant | Error>;
/** Location id -> the problem resolving it (null: the location is known). */
type ResolvedLocations = Map<string, Error | null>;

/**
 * Every problem of the file into `report` (row number, column, reason), and the rows that can be
 * imported when there are none: the header, each row on its own, variants and locations, lots.
 */
async function checkFile(shopId: number, text: string, report: ImportReport): Promise<CheckedRow[]> {
  const table = readTable(text, report);
  if (!table) return [];
  report.rows = table.data.length;
  if (table.data.length === 0) report.errors.push({ row: 0, column: null, reason: "the file has a header but no rows" });
  const valid = await checkEachRow(shopId, table, report);
  const { variants, locations } = await resolveVariantsAndLocations(shopId, valid);
  const checked = await checkLots(shopId, valid, variants, locations, report);
  report.errors.sort((a, b) => a.row - b.row);
  return checked;
}

/** The CSV parsed and its header read; null (problems in `report`) when the file cannot be read as an import. */
function readTable(text: string, report: ImportReport): ImportTable | null {
  let records;
  try {
    records = parseCsv(text, undefined, { maxRecords: MAX_IMPORT_ROWS + 1, tooManyRecords: (max) => tooManyRows(max - 1) });
  } catch (error) {
    if (error instanceof CsvError) {
      report.errors.push({ row: 0, column: null, reason: error.message });
      return null;
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header) {
    report.errors.push({
      row: 0,
      column: null,
      reason: "the file is empty; the first line must name the columns (variant_id, lot_number, quantity, location_id, ...)",
    });
    return null;
  }
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    const normalized = name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    const column = (Object.keys(CSV_COLUMNS) as Column[]).find((c) => (CSV_COLUMNS[c] as readonly string[]).includes(normalized));
    if (!column) report.errors.push({ row: 1, column: name, reason: `unknown column "${name}"; known columns: ${Object.keys(CSV_COLUMNS).join(", ")}` });
    else if (index.has(column)) report.errors.push({ row: 1, column: name, reason: `column ${column} appears twice` });
    else index.set(column, i);
  });
  for (const required of ["quantity", "location_id"] as Column[]) {
    if (!index.has(required)) report.errors.push({ row: 1, column: required, reason: `the required column ${required} is missing` });
  }
  if (!index.has("variant_id") && !index.has("sku")) report.errors.push({ row: 1, column: "variant_id", reason: "give a variant_id or a sku column" });
  if (report.errors.length > 0) return null;
  return { header, data, index };
}

/** Step 1. Each row on its own: field count, SKU -> variant, validateReceipt. */
async function checkEachRow(shopId: number, { header, data, index }: ImportTable, report: ImportReport): Promise<{ row: number; receipt: ValidReceipt }[]> {
  const get = (fields: string[], c: Column) => {
    const i = index.get(c);
    return i === undefined ? "" : (fields[i] ?? "").trim();
  };
  const skuToVariant = await variantsBySku(shopId, data.map((r) => get(r.fields, "sku")).filter(Boolean));
  const valid: { row: number; receipt: ValidReceipt }[] = [];
  for (const record of data) {
    if (record.fields.length !== header.fields.length) {
      report.errors.push({ row: record.row, column: null, reason: `has ${record.fields.length} fields, the header has ${header.fields.length}` });
      continue;
    }
    const f = record.fields;
    let variantId: string = get(f, "variant_id");
    const sku = get(f, "sku");
    if (!variantId && sku) {
      const found = skuToVariant.get(sku);
      if (!found) {
        report.errors.push({ row: record.row, column: "sku", reason: `no variant with SKU "${sku}" is known; use variant_id` });
        continue;
      }
      if (found === "ambiguous") {
        report.errors.push({ row: record.row, column: "sku", reason: `SKU "${sku}" is on several variants; use variant_id` });
        continue;
      }
      variantId = found.toString();
    }
    const input: ReceiptInput = {
      variantId,
      lotNumber: index.has("lot_number") ? (f[index.get("lot_number")!] ?? "") : null,
      quantity: get(f, "quantity"),
      locationId: get(f, "location_id"),
      expiresOn: get(f, "expires_on"),
      bestBeforeOn: get(f, "best_before_on"),
      producedOn: get(f, "produced_on"),
      supplier: get(f, "supplier"),
      supplierLot: get(f, "supplier_lot"),
      purchaseOrder: get(f, "purchase_order"),
      unitCost: get(f, "unit_cost"),
      currency: get(f, "currency"),
      notes: get(f, "notes"),
      gtin: get(f, "gtin") || null,
      bin: get(f, "bin") || null,
    };
    try {
      valid.push({ row: record.row, receipt: validateReceipt(input) });
    } catch (error) {
      if (!(error instanceof LotValidationError)) throw error;
      for (const p of error.problems) report.errors.push({ row: record.row, column: FIELD_TO_COLUMN[p.field] ?? p.field, reason: p.message });
    }
  }
  return valid;
}

/** Step 2. Variants and locations: known locally, or asked of Shopify once each. */
async function resolveVariantsAndLocations(
  shopId: number,
  valid: { receipt: ValidReceipt }[],
): Promise<{ variants: ResolvedVariants; locations: ResolvedLocations }> {
  const variants: ResolvedVariants = new Map();
  const locations: ResolvedLocations = new Map();
  await withTransaction(async (sql) => {
    for (const { receipt } of valid) {
      const v = receipt.variantId.toString();
      if (!variants.has(v)) variants.set(v, await resolveVariant(sql, shopId, receipt.variantId).catch((e: unknown) => asLotError(e)));
      const l = receipt.locationId.toString();
      if (!locations.has(l))
        locations.set(
          l,
          await resolveLocation(sql, shopId, receipt.locationId).then(
            () => null,
            (e: unknown) => asLotError(e),
          ),
        );
    }
  });
  return { variants, locations };
}

/** Step 3. Lots: rows of one lot must agree with each other and with the lot already stored. */
async function checkLots(
  shopId: number,
  valid: { row: number; receipt: ValidReceipt }[],
  variants: ResolvedVariants,
  locations: ResolvedLocations,
  report: ImportReport,
): Promise<CheckedRow[]> {
  const checked: CheckedRow[] = [];
  const seen = new Map<string, { row: number; dates: LotDates }>();
  const existing = await existingLots(
    shopId,
    valid.map((v) => v.receipt),
  );
  for (const { row, receipt } of valid) {
    const variant = variants.get(receipt.variantId.toString())!;
    if (variant instanceof Error) {
      report.errors.push({ row, column: "variant_id", reason: variant.message });
      continue;
    }
    const locationError = locations.get(receipt.locationId.toString());
    if (locationError) {
      report.errors.push({ row, column: "location_id", reason: locationError.message });
      continue;
    }
    if (!variant.inventoryItemId) {
      report.errors.push({
        row,
        column: "variant_id",
        reason: `variant ${variant.id} has no inventory item id yet (Shopify could not be asked); try again later`,
      });
      continue;
    }
    const dates: LotDates = { expiresOn: receipt.expiresOn, bestBeforeOn: receipt.bestBeforeOn, producedOn: receipt.producedOn };
    if (receipt.lotNumber) {
      const key = `${receipt.variantId}:${receipt.lotNumber}`;
      const earlier = seen.get(key);
      const stored = existing.get(key);
      const conflicts = [...(earlier ? dateConflicts(earlier.dates, dates) : []), ...(stored ? dateConflicts(stored, dates) : [])];
      if (conflicts.length > 0) {
        const against = earlier && dateConflicts(earlier.dates, dates).length > 0 ? `row ${earlier.row}` : "the lot already stored";
        report.errors.push({ row, column: "expires_on", reason: `lot ${receipt.lotNumber} disagrees with ${against}: ${conflicts.join("; ")}` });
        continue;
      }
      if (!earlier && !stored) report.lotsCreated++;
      else report.receiptsIntoExistingLots++;
      seen.set(key, { row, dates: mergeDates(earlier?.dates, dates) });
    } else {
      report.lotsCreated++;
    }
    report.units += receipt.quantity;
    checked.push({ row, receipt, variant });
  }
  return checked;
}

function mergeDates(a: LotDates | undefined, b: LotDates): LotDates {
  return { expiresOn: a?.expiresOn ?? b.expiresOn, bestBeforeOn: a?.bestBeforeOn ?? b.bestBeforeOn, producedOn: a?.producedOn ?? b.producedOn };
}

function asLotError(error: unknown): Error {
  if (error instanceof LotError) return error;
  throw error;
}

async function variantsBySku(shopId: number, skus: string[]): Promise<Map<string, bigint | "ambiguous">> {
  const out = new Map<string, bigint | "ambiguous">();
  if (skus.length === 0) return out;
  const r = await pool().query<{ sku: string; id: bigint }>("select sku, id from variants where shop_id = $1 and sku = any($2::text[])", [
    shopId,
    [...new Set(skus)],
  ]);
  for (const { sku, id } of r.rows) out.set(sku, out.has(sku) ? "ambiguous" : id);
  return out;
}

async function existingLots(shopId: number, receipts: ValidReceipt[]): Promise<Map<string, LotDates>> {
  const named = receipts.filter((r) => r.lotNumber);
  const out = new Map<string, LotDates>();
  if (named.length === 0) return out;
  const r = await pool().query<{
    variant_id: bigint;
    lot_number: string;
    expires_on: string | null;
    best_before_on: string | null;
    produced_on: string | null;
  }>(
    `select l.variant_id, l.lot_number, l.expires_on::text, l.best_before_on::text, l.produced_on::text
     from lots l join unnest($2::bigint[], $3::text[]) as k(variant_id, lot_number) on k.variant_id = l.variant_id and k.lot_number = l.lot_number
     where l.shop_id = $1`,
    [shopId, named.map((n) => n.variantId.toString()), named.map((n) => n.lotNumber!)],
  );
  for (const row of r.rows)
    out.set(`${row.variant_id}:${row.lot_number}`, { expiresOn: row.expires_on, bestBeforeOn: row.best_before_on, producedOn: row.produced_on });
  return out;
}
