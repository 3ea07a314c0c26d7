// Shopify Flow triggers and action (docs/decisions/109-flow-triggers-and-action.md): the payloads
// the app sends with flowTriggerReceive and the properties Flow sends to the "Quarantine lot"
// action. Pure: no DB, no Remix. The payload keys are the `key`s of the trigger's
// [[settings.fields]] in extensions/<handle>/shopify.extension.toml (test/unit/flow-rules.test.ts
// holds them together).

export const FLOW_TRIGGER_KIND = "flow.trigger";

export const FLOW_TRIGGERS = {
  recallOpened: "recall-opened",
  customerAffected: "recall-customer-affected",
  lotQuarantined: "lot-quarantined",
  lotExpiringSoon: "lot-expiring-soon",
} as const;
export type FlowTriggerHandle = (typeof FLOW_TRIGGERS)[keyof typeof FLOW_TRIGGERS];

/** Flow refuses a trigger payload of 50,000 bytes or more (trigger reference, "payload size"). */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;
/** Kept under the limit with room for the mutation around it. */
const PAYLOAD_BUDGET_BYTES = FLOW_PAYLOAD_MAX_BYTES - 2_000;

export type FlowPayload = Record<string, string | number>;

/** The outbox row's payload: what flowTriggerReceive sends. */
export interface FlowTriggerEntry {
  handle: FlowTriggerHandle;
  payload: FlowPayload;
}

export interface RecallOpenedFacts {
  reference: string;
  reason: string;
  severity: string;
  lotNumbers: readonly string[];
  customers: number;
}

export function recallOpenedPayload(f: RecallOpenedFacts): FlowPayload {
  return fitPayload(
    {
      "Recall reference": f.reference,
      "Recall reason": f.reason,
      "Recall severity": f.severity,
      "Lots in scope": f.lotNumbers.length,
      "Customers affected": f.customers,
    },
    { "Lot numbers": f.lotNumbers },
  );
}

export interface CustomerAffectedFacts {
  email: string;
  name: string | null;
  orderNames: readonly string[];
  lotNumbers: readonly string[];
  productTitles: readonly string[];
  reason: string;
  reference: string;
}

export function customerAffectedPayload(f: CustomerAffectedFacts): FlowPayload {
  return fitPayload(
    { "Customer email": f.email, "Customer name": f.name ?? "", "Recall reason": f.reason, "Recall reference": f.reference },
    { "Order names": f.orderNames, "Lot numbers": f.lotNumbers, "Product titles": f.productTitles },
  );
}

export interface LotQuarantinedFacts {
  lotNumber: string;
  productTitle: string | null;
  reason: string;
  units: number;
  locations: number;
}

export function lotQuarantinedPayload(f: LotQuarantinedFacts): FlowPayload {
  return fitPayload({
    "Lot number": f.lotNumber,
    "Product title": f.productTitle ?? "",
    Reason: f.reason,
    "Units quarantined": f.units,
    Locations: f.locations,
  });
}

export interface LotExpiringSoonFacts {
  lotNumber: string;
  productTitle: string | null;
  expiresOn: string;
  daysLeft: number;
  units: number;
  locations: readonly { name: string | null; locationId: string; units: number }[];
}

export function lotExpiringSoonPayload(f: LotExpiringSoonFacts): FlowPayload {
  return fitPayload(
    { "Lot number": f.lotNumber, "Product title": f.productTitle ?? "", "Expires on": f.expiresOn, "Days left": f.daysLeft, "Units on hand": f.units },
    { "Units per location": f.locations.map((l) => `${l.name ?? `Location ${l.locationId}`}: ${l.units}`) },
  );
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * The fixed fields plus the lists joined with ", ", under Flow's size limit. A list that does not
 * fit is cut at an item boundary and says how many were left out ("…and 812 more"): a recall of
 * thousands of lots still starts its workflow, and the merchant sees the list is partial (the full
 * list is in the app and the CSV export). Over-long free text (a reason) is cut as a last resort.
 */
export function fitPayload(fixed: FlowPayload, lists: Record<string, readonly string[]> = {}): FlowPayload {
  const out: FlowPayload = { ...fixed };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === "string" && value.length > 5_000) out[key] = `${value.slice(0, 4_990)}…`;
  }
  for (const key of Object.keys(lists)) out[key] = "";
  for (const [key, items] of Object.entries(lists)) {
    const unique = [...new Set(items.filter((i) => i !== ""))];
    const room = PAYLOAD_BUDGET_BYTES - bytes(out);
    let kept = unique.length;
    // Binary search for the longest prefix that fits with its "…and N more" suffix.
    const text = (n: number) => unique.slice(0, n).join(", ") + (n < unique.length ? `${n > 0 ? ", " : ""}…and ${unique.length - n} more` : "");
    if (bytes(text(kept)) > room) {
      let lo = 0;
      let hi = unique.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (bytes(text(mid)) <= room) lo = mid;
        else hi = mid - 1;
      }
      kept = lo;
    }
    out[key] = text(kept);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The "Quarantine lot" action

export class FlowActionInputError extends Error {
  override name = "FlowActionInputError";
}

export interface QuarantineLotRequest {
  shopDomain: string;
  actionRunId: string | null;
  lotNumber: string;
  locationId: bigint | null;
  reason: string;
}

/** Reads Flow's action body ({ shop_id, shopify_domain, action_run_id, handle, properties }). Throws FlowActionInputError. */
export function parseQuarantineLotRequest(body: unknown): QuarantineLotRequest {
  if (!body || typeof body !== "object") throw new FlowActionInputError("the body is not a JSON object");
  const b = body as Record<string, unknown>;
  const shopDomain = typeof b.shopify_domain === "string" ? b.shopify_domain.trim().toLowerCase() : "";
  if (!shopDomain) throw new FlowActionInputError("shopify_domain is missing");
  const props = (b.properties && typeof b.properties === "object" ? b.properties : {}) as Record<string, unknown>;
  const lotNumber = typeof props.lot_number === "string" ? props.lot_number.trim() : "";
  if (!lotNumber) throw new FlowActionInputError("the lot number (property lot_number) is empty: set it in the action");
  const rawLocation = props.location_id === undefined || props.location_id === null ? "" : String(props.location_id).trim();
  const gidLocation = /^gid:\/\/shopify\/Location\/(\d+)$/.exec(rawLocation)?.[1];
  const locationDigits = gidLocation ?? rawLocation;
  if (locationDigits !== "" && !/^\d{1,19}$/.test(locationDigits)) {
    throw new FlowActionInputError(`location_id "${rawLocation}" is not a Shopify location ID (digits, or gid://shopify/Location/<id>)`);
  }
  const reason = typeof props.reason === "string" && props.reason.trim() ? props.reason.trim() : "Shopify Flow: Quarantine lot";
  return {
    shopDomain,
    actionRunId: typeof b.action_run_id === "string" ? b.action_run_id : null,
    lotNumber,
    locationId: locationDigits === "" ? null : BigInt(locationDigits),
    reason,
  };
}
