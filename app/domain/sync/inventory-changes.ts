// What the app asks Shopify to change, built from our own records. Pure: the exact GraphQL inputs
// of inventoryAdjustQuantities / inventoryMoveQuantities, stored as the outbox payload so a retry
// sends byte-for-byte the same request with the same idempotency key.

/** Shopify's inventory states the app moves units between. */
export type QuantityName = "available" | "quality_control";

/** Reasons Shopify accepts for inventory changes (the ones the app uses). */
export type AdjustReason = "received" | "correction" | "cycle_count_available" | "damaged" | "shrinkage" | "movement_updated" | "other" | "quality_control";

export interface LevelChange {
  inventoryItemId: bigint;
  locationId: bigint;
  delta: number;
}

/** The effect of one outbox row on Shopify's on_hand per level; reconciliation subtracts pending ones. */
export interface PayloadLevel {
  inventoryItemId: string;
  locationId: string;
  onHandDelta: number;
}

export interface AdjustPayload {
  input: {
    name: QuantityName;
    reason: AdjustReason;
    referenceDocumentUri: string;
    changes: { delta: number; changeFromQuantity: null; inventoryItemId: string; locationId: string; ledgerDocumentUri?: string }[];
  };
  levels: PayloadLevel[];
}

/** One side of a move. changeFromQuantity is always sent, as null: decision 080 says why. */
export interface MoveTerminal {
  locationId: string;
  name: QuantityName;
  changeFromQuantity: null;
  ledgerDocumentUri?: string;
}

export interface MovePayload {
  input: {
    reason: AdjustReason;
    referenceDocumentUri: string;
    changes: {
      inventoryItemId: string;
      quantity: number;
      from: MoveTerminal;
      to: MoveTerminal;
    }[];
  };
  levels: PayloadLevel[];
}

const gid = (type: string, id: bigint) => `gid://shopify/${type}/${id}`;

/** Our own documents as Shopify reference URIs: gid://lotkeeper/<Entity>/<id>. */
export function lotkeeperUri(entity: "LedgerEntry" | "Lot" | "Import" | "Reconciliation", id: bigint | string): string {
  return `gid://lotkeeper/${entity}/${id}`;
}

export function adjustPayload(args: { name?: QuantityName; reason: AdjustReason; referenceDocumentUri: string; changes: LevelChange[] }): AdjustPayload {
  const name = args.name ?? "available";
  const changes = args.changes.filter((c) => c.delta !== 0);
  return {
    input: {
      name,
      reason: args.reason,
      referenceDocumentUri: args.referenceDocumentUri,
      changes: changes.map((c) => ({
        delta: c.delta,
        // Deltas, not absolute values: opt out of compare-and-swap explicitly (required from 2026-04).
        changeFromQuantity: null,
        inventoryItemId: gid("InventoryItem", c.inventoryItemId),
        locationId: gid("Location", c.locationId),
        // Shopify requires a ledger document for states other than available.
        ...(name === "available" ? {} : { ledgerDocumentUri: args.referenceDocumentUri }),
      })),
    },
    levels: changes.map((c) => ({ inventoryItemId: String(c.inventoryItemId), locationId: String(c.locationId), onHandDelta: c.delta })),
  };
}

/** Quarantine (available -> quality_control) or release (the other way) at each location. */
export function movePayload(args: {
  direction: "quarantine" | "release";
  referenceDocumentUri: string;
  changes: { inventoryItemId: bigint; locationId: bigint; quantity: number }[];
}): MovePayload {
  const [fromName, toName]: [QuantityName, QuantityName] =
    args.direction === "quarantine" ? ["available", "quality_control"] : ["quality_control", "available"];
  const side = (locationId: bigint, name: QuantityName): MoveTerminal => ({
    locationId: gid("Location", locationId),
    name,
    // Required from 2026-04 on both sides (explicit null opts out of compare-and-swap). A move is
    // relative and decided from our own lot balance, never from a Shopify quantity we read, and
    // it is sent later by the outbox: a CAS on `available` would fail whenever the product sold
    // in between, leaving recalled units on sale (docs/decisions/080-shopify-contract.md).
    changeFromQuantity: null,
    ...(name === "available" ? {} : { ledgerDocumentUri: args.referenceDocumentUri }),
  });
  const changes = args.changes.filter((c) => c.quantity > 0);
  return {
    input: {
      reason: "quality_control",
      referenceDocumentUri: args.referenceDocumentUri,
      changes: changes.map((c) => ({
        inventoryItemId: gid("InventoryItem", c.inventoryItemId),
        quantity: c.quantity,
        from: side(c.locationId, fromName),
        to: side(c.locationId, toName),
      })),
    },
    levels: changes.map((c) => ({ inventoryItemId: String(c.inventoryItemId), locationId: String(c.locationId), onHandDelta: 0 })),
  };
}
