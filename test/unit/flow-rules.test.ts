// The Flow triggers' payloads against what the extensions declare: Flow starts a workflow only with
// a payload whose keys and value types are the trigger's [[settings.fields]], so a payload key that
// drifts from the TOML, or a number sent as text, would silently break the merchant's workflows.
// The extension TOML files are parsed here and compared with what flow-rules.ts builds.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  customerAffectedPayload,
  fitPayload,
  FLOW_PAYLOAD_MAX_BYTES,
  FLOW_TRIGGERS,
  FlowActionInputError,
  lotExpiringSoonPayload,
  lotQuarantinedPayload,
  parseQuarantineLotRequest,
  recallOpenedPayload,
  type FlowPayload,
} from "../../app/domain/flow/flow-rules";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

interface ExtensionToml {
  top: Record<string, string>;
  fields: Record<string, string | boolean>[];
}

/** The subset of TOML these files use: `key = "string" | true | false`, [[extensions]], [settings], [[settings.fields]], whole-line comments. */
function readExtension(dir: string): ExtensionToml {
  const text = readFileSync(path.join(ROOT, "extensions", dir, "shopify.extension.toml"), "utf8");
  const out: ExtensionToml = { top: {}, fields: [] };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header) {
      section = header[1]!;
      if (section === "settings.fields") out.fields.push({});
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(true|false))$/.exec(line);
    if (!kv) throw new Error(`unexpected TOML line in ${dir}: ${raw}`);
    const value = kv[2] !== undefined ? kv[2] : kv[3] === "true";
    if (section === "extensions") out.top[kv[1]!] = String(value);
    else if (section === "settings.fields") out.fields.at(-1)![kv[1]!] = value;
  }
  return out;
}

/** The JSON type Flow expects for each field type the extensions use (trigger reference, custom field types). */
const JSON_TYPE: Record<string, "string" | "number"> = { single_line_text_field: "string", email: "string", number_decimal: "number" };

function expectPayloadMatches(dir: string, handle: string, payload: FlowPayload) {
  const ext = readExtension(dir);
  expect(ext.top).toMatchObject({ type: "flow_trigger", handle });
  expect(handle.length).toBeLessThanOrEqual(30);
  expect(handle).toMatch(/^[a-z0-9-]+$/);
  const declared = ext.fields.map((f) => [f.key as string, f.type as string] as const);
  // The Shopify CLI's trigger field schema: type, key, description (name, required ... are for actions).
  for (const f of ext.fields) expect(["type", "key", "description"]).toEqual(expect.arrayContaining(Object.keys(f)));
  for (const [key, type] of declared) {
    expect(key, `${dir}: custom field keys are ASCII letters and spaces`).toMatch(/^[A-Za-z\s]+$/);
    expect(Object.keys(JSON_TYPE), `${dir}: field type ${type}`).toContain(type);
  }
  expect(Object.keys(payload).sort()).toEqual(declared.map(([key]) => key).sort());
  for (const [key, type] of declared) {
    expect(typeof payload[key], `${dir}: "${key}" is ${type}`).toBe(JSON_TYPE[type]);
    if (type === "email") expect(payload[key]).toMatch(/^[^@\s]+@[^@\s]+$/);
  }
  expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(FLOW_PAYLOAD_MAX_BYTES);
}

describe("Flow trigger payloads match the extensions' declared fields", () => {
  it("Recall opened", () => {
    const payload = recallOpenedPayload({ reference: "R-1", reason: "Glass", severity: "CLASS_I", lotNumbers: ["H-1", "KIT-1"], customers: 3 });
    expectPayloadMatches("flow-recall-opened", FLOW_TRIGGERS.recallOpened, payload);
    expect(payload).toMatchObject({ "Lot numbers": "H-1, KIT-1", "Lots in scope": 2, "Customers affected": 3 });
  });

  it("Customer affected by recall: email, orders, lots, products, reason", () => {
    const payload = customerAffectedPayload({
      email: "ann@example.com",
      name: "Ann",
      orderNames: ["#1001", "#1007"],
      lotNumbers: ["H-1"],
      productTitles: ["Honey"],
      reason: "Glass",
      reference: "R-1",
    });
    expectPayloadMatches("flow-customer-affected", FLOW_TRIGGERS.customerAffected, payload);
    expect(payload).toMatchObject({ "Order names": "#1001, #1007", "Product titles": "Honey", "Recall reason": "Glass" });
  });

  it("Lot quarantined", () => {
    const payload = lotQuarantinedPayload({ lotNumber: "H-1", productTitle: null, reason: "mould", units: 12, locations: 2 });
    expectPayloadMatches("flow-lot-quarantined", FLOW_TRIGGERS.lotQuarantined, payload);
    expect(payload).toMatchObject({ "Product title": "", "Units quarantined": 12 });
  });

  it("Lot expiring soon: days left and units per location", () => {
    const payload = lotExpiringSoonPayload({
      lotNumber: "H-1",
      productTitle: "Honey",
      expiresOn: "2027-01-01",
      daysLeft: 14,
      units: 15,
      locations: [
        { name: "Berlin warehouse", locationId: "1", units: 12 },
        { name: null, locationId: "2", units: 3 },
      ],
    });
    expectPayloadMatches("flow-lot-expiring-soon", FLOW_TRIGGERS.lotExpiringSoon, payload);
    expect(payload).toMatchObject({ "Days left": 14, "Units on hand": 15, "Units per location": "Berlin warehouse: 12, Location 2: 3" });
  });
});

describe("Flow's 50 KB payload limit", () => {
  it("a recall of 20,000 lots still fits: the list is cut and says how many are left out", () => {
    const lots = Array.from({ length: 20_000 }, (_, i) => `LOT-${String(i).padStart(6, "0")}`);
    const payload = recallOpenedPayload({ reference: "R-1", reason: "x".repeat(10_000), severity: "CLASS_I", lotNumbers: lots, customers: 1 });
    expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThan(FLOW_PAYLOAD_MAX_BYTES);
    expect(payload["Lots in scope"]).toBe(20_000);
    const text = payload["Lot numbers"] as string;
    expect(text.startsWith("LOT-000000, LOT-000001")).toBe(true);
    const shown = text.split(", ").filter((s) => s.startsWith("LOT-")).length;
    expect(text).toMatch(new RegExp(`…and ${20_000 - shown} more$`));
    expect((payload["Recall reason"] as string).length).toBeLessThan(5_000);
  });

  it("small lists are sent whole, duplicates once", () => {
    expect(fitPayload({ a: 1 }, { b: ["x", "y", "x", ""] })).toEqual({ a: 1, b: "x, y" });
  });
});

describe("the Quarantine lot action", () => {
  it("declares the properties the route reads", () => {
    const ext = readExtension("flow-quarantine-lot");
    expect(ext.top).toMatchObject({ type: "flow_action", handle: "quarantine-lot" });
    expect(ext.top.runtime_url).toMatch(/^https:\/\/[^/]+\/flow\/quarantine-lot$/);
    // The CLI's action field schema is strict: type, key, name, description, required, nothing else.
    for (const f of ext.fields) expect(["type", "key", "name", "description", "required"]).toEqual(expect.arrayContaining(Object.keys(f)));
    expect(ext.fields.map((f) => [f.key, f.type, f.required])).toEqual([
      ["lot_number", "single_line_text_field", true],
      ["location_id", "single_line_text_field", false],
      ["reason", "single_line_text_field", false],
    ]);
  });

  it("reads Flow's body: shop, lot number, optional location (digits or gid) and reason", () => {
    const body = (properties: Record<string, unknown>) => ({
      shop_id: "1",
      shopify_domain: "Shop.myshopify.com",
      action_run_id: "run-1",
      handle: "quarantine-lot",
      properties,
    });
    expect(parseQuarantineLotRequest(body({ lot_number: " H-1 " }))).toEqual({
      shopDomain: "shop.myshopify.com",
      actionRunId: "run-1",
      lotNumber: "H-1",
      locationId: null,
      reason: "Shopify Flow: Quarantine lot",
    });
    expect(parseQuarantineLotRequest(body({ lot_number: "H-1", location_id: "gid://shopify/Location/77", reason: "mould" }))).toMatchObject({
      locationId: 77n,
      reason: "mould",
    });
    expect(parseQuarantineLotRequest(body({ lot_number: "H-1", location_id: "78" })).locationId).toBe(78n);
    expect(() => parseQuarantineLotRequest(body({ lot_number: "" }))).toThrow(FlowActionInputError);
    expect(() => parseQuarantineLotRequest(body({ lot_number: "H-1", location_id: "Warehouse" }))).toThrow(/not a Shopify location ID/);
    expect(() => parseQuarantineLotRequest({ properties: { lot_number: "H-1" } })).toThrow(/shopify_domain/);
  });
});
