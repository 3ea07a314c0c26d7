// Genealogy: production runs (kit, assembly, repack) consume units of input lots and make an
// output lot. Each input is an edge input lot -> output lot (production_inputs). Walking the
// edges is a recursive CTE that carries the visited path, so a cycle (lot A repacked into B and
// B back into A) ends instead of looping; a depth limit bounds pathological graphs.
import { InsufficientStockError, moveLotUnitsWithEntries, type LedgerCause, type LotMovement } from "../ledger/ledger.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { addOutboxEntries, queueOutboxEntries } from "../sync/outbox.server";
import { adjustPayload, lotkeeperUri } from "../sync/inventory-changes";
import { ProductionError, parseProductionKind, validateProduction, type ProductionKind, type ProductionRequest } from "./production-rules";

/** Deepest genealogy followed; deeper chains are reported as truncated. */
export const MAX_TRACE_DEPTH = 64;

export interface LinkedLot {
  lotId: bigint;
  /** Production-run steps from the nearest starting lot. */
  depth: number;
}

async function walk(db: Db, shopId: number, lotIds: bigint[], direction: "forward" | "backward"): Promise<LinkedLot[]> {
  if (lotIds.length === 0) return [];
  const [from, to] = direction === "forward" ? ["input_lot_id", "output_lot_id"] : ["output_lot_id", "input_lot_id"];
  const result = await db.query<{ lot_id: bigint; depth: number }>(
    `with recursive walk(lot_id, depth, path) as (
       select l.id, 0, array[l.id] from unnest($2::bigint[]) as l(id)
       union all
       select e.${to}, w.depth + 1, w.path || e.${to}
         from walk w
         join production_inputs e on e.shop_id = $1 and e.${from} = w.lot_id
        where e.${to} <> all(w.path) and w.depth < $3
     )
     select lot_id, min(depth)::int as depth from walk
      where not (lot_id = any($2::bigint[]))
      group by lot_id order by 2, 1`,
    [shopId, lotIds, MAX_TRACE_DEPTH],
  );
  return result.rows.map((r) => ({ lotId: r.lot_id, depth: r.depth }));
}

/** Every lot made (at any depth) from the given lots, nearest first. Cycle-safe. */
export function downstreamLots(db: Db, shopId: number, lotIds: bigint[]): Promise<LinkedLot[]> {
  return walk(db, shopId, lotIds, "forward");
}

/** Every lot that went (at any depth) into the given lots, nearest first. Cycle-safe. */
export function upstreamLots(db: Db, shopId: number, lotIds: bigint[]): Promise<LinkedLot[]> {
  return walk(db, shopId, lotIds, "backward");
}

export interface GenealogyEdge {
  runId: bigint;
  kind: ProductionKind;
  producedAt: string;
  locationId: bigint;
  inputLotId: bigint;
  outputLotId: bigint;
  quantity: number;
}

/** Production edges among a set of lots (both ends in the set). */
export async function edgesAmong(db: Db, shopId: number, lotIds: bigint[]): Promise<GenealogyEdge[]> {
  if (lotIds.length === 0) return [];
  const result = await db.query<{
    run_id: bigint;
    kind: ProductionKind;
    created_at: Date;
    location_id: bigint;
    input_lot_id: bigint;
    output_lot_id: bigint;
    quantity: number;
  }>(
    `select e.run_id, r.kind, r.created_at, r.location_id, e.input_lot_id, e.output_lot_id, e.quantity
       from production_inputs e join production_runs r on r.id = e.run_id and r.shop_id = e.shop_id
      where e.shop_id = $1 and e.input_lot_id = any($2::bigint[]) and e.output_lot_id = any($2::bigint[])
      order by r.created_at, e.run_id, e.id`,
    [shopId, lotIds],
  );
  return result.rows.map((r) => ({
    runId: r.run_id,
    kind: r.kind,
    producedAt: r.created_at.toISOString(),
    locationId: r.location_id,
    inputLotId: r.input_lot_id,
    outputLotId: r.output_lot_id,
    quantity: r.quantity,
  }));
}

// ---------------------------------------------------------------------------------------------
// Recording a production run

export interface ProductionResult {
  runId: bigint;
  kind: ProductionKind;
  locationId: bigint;
  output: { lotId: bigint; lotNumber: string; variantId: bigint; quantity: number; balanceAfter: number; created: boolean; expiresOn: string | null };
  inputs: { lotId: bigint; lotNumber: string; variantId: bigint; quantity: number; balanceAfter: number }[];
  /** Shopify inventory changes to queue after commit (queueOutboxEntries); produceLot does it. */
  outboxIds: bigint[];
}

interface InputLotRow {
  id: bigint;
  lot_number: string;
  variant_id: bigint;
  status: string;
  expires_on: string | null;
}

type InputLot = InputLotRow & { quantity: number };

interface OutputLotRow {
  id: bigint;
  status: string;
  expires_on: string | null;
  inserted: boolean;
}

/**
 * Records a production run in the caller's transaction: input lots lose their units at the
 * location (CONSUMED), the output lot (created if new, expiry defaulting to the earliest input
 * expiry) gains the made units (PRODUCED), and one genealogy edge per input is written.
 * Quarantined or recalled input lots, and an output lot that is not active, are refused.
 */
export async function recordProductionRun(sql: Db, shopId: number, request: ProductionRequest, cause: LedgerCause = "USER"): Promise<ProductionResult> {
  const req = validateProduction(request);
  const inputs = await findInputLots(sql, shopId, req);
  await requireOutputVariant(sql, shopId, req);
  const output = await createOrFindOutputLot(sql, shopId, req, inputs);
  const runId = await writeRunAndEdges(sql, shopId, req, output, inputs);
  // Inputs in lot id order: two runs sharing inputs lock their balances in the same order.
  const ordered = [...inputs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const movements = runMovements(shopId, req, ordered, output, runId, cause);
  await quarantineGuard(sql, shopId, ordered, req.locationId);
  const moved = await consumeAndProduce(sql, shopId, req, ordered, movements);
  const outboxIds = await followInShopify(sql, shopId, req, ordered, movements, moved);
  const after = moved.map((m) => m.balanceAfter);
  return {
    runId,
    kind: req.kind,
    locationId: req.locationId,
    output: {
      lotId: output.id,
      lotNumber: req.outputLotNumber,
      variantId: req.outputVariantId,
      quantity: req.quantity,
      balanceAfter: after[after.length - 1]!,
      created: output.inserted,
      expiresOn: output.expires_on,
    },
    inputs: ordered.map((i, n) => ({ lotId: i.id, lotNumber: i.lot_number, variantId: i.variant_id, quantity: i.quantity, balanceAfter: after[n]! })),
    outboxIds,
  };
}

/** Each input lot by number (and variant when given): the shop's, active, named once. */
async function findInputLots(sql: Db, shopId: number, req: ProductionRequest): Promise<InputLot[]> {
  const inputs: InputLot[] = [];
  for (const input of req.inputs) {
    const found = await sql.query<InputLotRow>(
      `select id, lot_number, variant_id, status, expires_on from lots
        where shop_id = $1 and lot_number = $2 and ($3::bigint is null or variant_id = $3) order by variant_id`,
      [shopId, input.lotNumber, input.variantId ?? null],
    );
    if (found.rows.length === 0) {
      throw new ProductionError(
        input.variantId === undefined
          ? `input lot "${input.lotNumber}" was not found in this shop`
          : `input lot "${input.lotNumber}" of variant ${input.variantId} was not found in this shop`,
      );
    }
    if (found.rows.length > 1) {
      throw new ProductionError(
        `input lot "${input.lotNumber}" exists on several variants (${found.rows.map((r) => r.variant_id).join(", ")}): write it as ${input.lotNumber}@<variant id>`,
      );
    }
    const lot = found.rows[0]!;
    if (lot.status !== "ACTIVE") {
      throw new ProductionError(`input lot "${lot.lot_number}" is ${lot.status.toLowerCase()}: release it before using it in a production run`);
    }
    if (inputs.some((i) => i.id === lot.id)) {
      throw new ProductionError(`input lot "${lot.lot_number}" is listed twice: give its total quantity once`);
    }
    inputs.push({ ...lot, quantity: input.quantity });
  }
  return inputs;
}

async function requireOutputVariant(sql: Db, shopId: number, req: ProductionRequest): Promise<void> {
  const variant = await sql.query("select 1 from variants where shop_id = $1 and id = $2", [shopId, req.outputVariantId]);
  if (variant.rowCount === 0) {
    throw new ProductionError(`output variant ${req.outputVariantId} is not known in this shop: sync products first (it must exist in Shopify)`);
  }
}

/** The output lot, created when new (expiry defaulting to the earliest input's); it must be active and not an input. */
async function createOrFindOutputLot(sql: Db, shopId: number, req: ProductionRequest, inputs: InputLot[]): Promise<OutputLotRow> {
  const earliestExpiry =
    inputs
      .map((i) => i.expires_on)
      .filter((d): d is string => d !== null)
      .sort()[0] ?? null;
  const inserted = await sql.query<OutputLotRow>(
    `insert into lots (shop_id, variant_id, lot_number, status, expires_on, produced_on, received_at, notes, updated_at)
     values ($1, $2, $3, 'ACTIVE', $4, coalesce($6::timestamptz, now())::date, coalesce($6::timestamptz, now()), $5, now())
     on conflict (shop_id, variant_id, lot_number) do update set updated_at = lots.updated_at
     returning id, status, expires_on, (xmax = 0) as inserted`,
    [shopId, req.outputVariantId, req.outputLotNumber, req.expiresOn ?? earliestExpiry, `made by a ${req.kind.toLowerCase()} run`, req.producedAt ?? null],
  );
  const output = inserted.rows[0]!;
  if (output.status !== "ACTIVE") {
    throw new ProductionError(`output lot "${req.outputLotNumber}" is ${output.status.toLowerCase()}: produce into another lot number`);
  }
  if (inputs.some((i) => i.id === output.id)) {
    throw new ProductionError(`lot "${req.outputLotNumber}" cannot be both an input and the output of one run`);
  }
  return output;
}

/** The run and one genealogy edge per input (input lot -> output lot). */
async function writeRunAndEdges(sql: Db, shopId: number, req: ProductionRequest, output: OutputLotRow, inputs: InputLot[]): Promise<bigint> {
  const run = await sql.query<{ id: bigint }>(
    `insert into production_runs (shop_id, kind, output_lot_id, output_quantity, location_id, reference, created_at)
     values ($1, $2::"ProductionKind", $3, $4, $5, $6, coalesce($7::timestamptz, now())) returning id`,
    [shopId, req.kind, output.id, req.quantity, req.locationId, req.reference ?? null, req.producedAt ?? null],
  );
  const runId = run.rows[0]!.id;
  await sql.query(
    `insert into production_inputs (shop_id, run_id, input_lot_id, output_lot_id, quantity)
     select $1, $2, unnest($3::bigint[]), $4, unnest($5::int[])`,
    [shopId, runId, inputs.map((i) => i.id), output.id, inputs.map((i) => i.quantity)],
  );
  return runId;
}

/** CONSUMED per input (in lock order), then PRODUCED for the output. */
function runMovements(shopId: number, req: ProductionRequest, ordered: InputLot[], output: OutputLotRow, runId: bigint, cause: LedgerCause): LotMovement[] {
  return [
    ...ordered.map((i) => ({
      shopId,
      lotId: i.id,
      locationId: req.locationId,
      delta: -i.quantity,
      kind: "CONSUMED" as const,
      cause,
      causeRef: `run:${runId}`,
      reason: `${req.kind.toLowerCase()} run into lot ${req.outputLotNumber}`,
    })),
    {
      shopId,
      lotId: output.id,
      locationId: req.locationId,
      delta: req.quantity,
      kind: "PRODUCED",
      cause,
      causeRef: `run:${runId}`,
      reason: `${req.kind.toLowerCase()} run`,
    },
  ];
}

/** The movements applied; an input short of units is named with what it holds there. */
async function consumeAndProduce(
  sql: Db,
  shopId: number,
  req: ProductionRequest,
  ordered: InputLot[],
  movements: LotMovement[],
): Promise<{ balanceAfter: number; ledgerEntryId: bigint }[]> {
  try {
    return await moveLotUnitsWithEntries(sql, movements);
  } catch (error) {
    if (error instanceof InsufficientStockError) {
      const balances = await sql.query<{ lot_id: bigint; quantity: number }>(
        `select lot_id, quantity from lot_balances where shop_id = $1 and location_id = $2 and lot_id = any($3::bigint[])`,
        [shopId, req.locationId, ordered.map((i) => i.id)],
      );
      const short = ordered.find((i) => (balances.rows.find((b) => b.lot_id === i.id)?.quantity ?? 0) < i.quantity);
      throw new ProductionError(
        short
          ? `input lot "${short.lot_number}" has ${balances.rows.find((b) => b.lot_id === short.id)?.quantity ?? 0} units at location ${req.locationId}, the run needs ${short.quantity}`
          : error.message,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Shopify's on-hand follows: inputs leave (reason other), the output arrives (received). One
 * outbox row per ledger entry, idempotent on it, as every other lot movement.
 */
async function followInShopify(
  sql: Db,
  shopId: number,
  req: ProductionRequest,
  ordered: InputLot[],
  movements: LotMovement[],
  moved: { ledgerEntryId: bigint }[],
): Promise<bigint[]> {
  const items = await sql.query<{ id: bigint; inventory_item_id: bigint | null }>(
    `select id, inventory_item_id from variants where shop_id = $1 and id = any($2::bigint[])`,
    [shopId, [...ordered.map((i) => i.variant_id), req.outputVariantId]],
  );
  const itemOf = new Map(items.rows.map((r) => [r.id, r.inventory_item_id]));
  const variants = [...ordered.map((i) => i.variant_id), req.outputVariantId];
  return addOutboxEntries(
    sql,
    movements.flatMap((m, n) => {
      const item = itemOf.get(variants[n]!);
      if (!item) return [];
      const entry = moved[n]!.ledgerEntryId;
      return [
        {
          shopId,
          kind: "inventory.adjust",
          idempotencyKey: `ledger:${entry}`,
          payload: adjustPayload({
            reason: m.kind === "PRODUCED" ? "received" : "other",
            referenceDocumentUri: lotkeeperUri("LedgerEntry", entry),
            changes: [{ inventoryItemId: item, locationId: req.locationId, delta: m.delta }],
          }),
        },
      ];
    }),
  );
}

/** recordProductionRun in its own transaction, then the Shopify changes queued (CLI, admin panel). */
export async function produceLot(shopId: number, request: ProductionRequest, cause: LedgerCause = "USER"): Promise<ProductionResult> {
  const result = await withTransaction((sql) => recordProductionRun(sql, shopId, request, cause));
  await queueOutboxEntries(result.outboxIds);
  return result;
}

async function quarantineGuard(sql: Db, shopId: number, inputs: InputLotRow[], locationId: bigint): Promise<void> {
  const q = await sql.query<{ lot_id: bigint }>(
    `select lot_id from lot_balances where shop_id = $1 and location_id = $2 and lot_id = any($3::bigint[]) and quarantined`,
    [shopId, locationId, inputs.map((i) => i.id)],
  );
  const first = q.rows[0];
  if (first) {
    const lot = inputs.find((i) => i.id === first.lot_id)!;
    throw new ProductionError(`input lot "${lot.lot_number}" is quarantined at location ${locationId}: release it before using it in a production run`);
  }
}

export { ProductionError, parseProductionKind };
