// Row types written by hand for SQL results, held against the migrated schema
// (docs/decisions/096-one-data-layer.md). Each described type lists, for every one of its fields,
// the column it is read from and its kind; the compiler holds the list to the TypeScript type (a
// field added, removed or made nullable there is a type error here until the list says so), and
// this test holds the list to information_schema: the column exists, its type reads back as that
// kind through the app's pool (BIGINT as bigint, DATE and NUMERIC as text), and its nullability is
// the type's. A field from an outer join may be nullable over a NOT NULL column ("outer").
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import type { LotRow as ScopeLotRow, OnHandRow } from "../../app/domain/recall/recall-lookup.server";
import type { LotRow as ReceivedLotRow } from "../../app/domain/lots/receive-lot.server";
import type { RecallRow } from "../../app/domain/recall/recall-case.server";
import type { BalanceRow } from "../../app/domain/lots/lot-moves.server";
import type { OutboxRow } from "../../app/domain/sync/outbox.server";
import type { TaskRow } from "../../app/domain/overview/attention.server";

type Kind<V> = unknown extends V
  ? "json"
  : [NonNullable<V>] extends [bigint]
    ? "bigint"
    : [NonNullable<V>] extends [number]
      ? "number"
      : [NonNullable<V>] extends [boolean]
        ? "boolean"
        : [NonNullable<V>] extends [Date]
          ? "Date"
          : [NonNullable<V>] extends [string]
            ? "string"
            : "json";
type ColumnKind<V> = Kind<V> extends "json" ? "json" : null extends V ? `${Kind<V>} | null` : Kind<V>;
/** Every field of T: the `table.column` it is read from, and its kind as the type says. */
type Described<T> = { readonly [K in keyof T]-?: readonly [column: string, kind: ColumnKind<T[K]>, outer?: "outer"] };

interface RowType {
  name: string;
  fields: Record<string, readonly [string, string, ("outer" | undefined)?]>;
}
const rowType = <T>(name: string, fields: Described<T>): RowType => ({ name, fields: fields as RowType["fields"] });

const described: RowType[] = [
  rowType<ScopeLotRow>("recall-lookup LotRow", {
    id: ["lots.id", "bigint"],
    lot_number: ["lots.lot_number", "string"],
    variant_id: ["lots.variant_id", "bigint"],
    status: ["lots.status", "string"],
    expires_on: ["lots.expires_on", "string | null"],
    supplier: ["lots.supplier", "string | null"],
    supplier_lot: ["lots.supplier_lot", "string | null"],
  }),
  rowType<ReceivedLotRow>("receive-lot LotRow", {
    id: ["lots.id", "bigint"],
    lot_number: ["lots.lot_number", "string"],
    status: ["lots.status", "string"],
    expires_on: ["lots.expires_on", "string | null"],
    best_before_on: ["lots.best_before_on", "string | null"],
    produced_on: ["lots.produced_on", "string | null"],
  }),
  rowType<RecallRow>("RecallRow", {
    id: ["recalls.id", "bigint"],
    reference: ["recalls.reference", "string"],
    reason: ["recalls.reason", "string"],
    severity: ["recalls.severity", "string"],
    status: ["recalls.status", "string"],
    tag_shopify: ["recalls.tag_shopify", "boolean"],
    opened_at: ["recalls.opened_at", "Date"],
    closed_at: ["recalls.closed_at", "Date | null"],
  }),
  rowType<BalanceRow>("BalanceRow", {
    quantity: ["lot_balances.quantity", "number"],
    quarantined: ["lot_balances.quarantined", "boolean"],
  }),
  rowType<OutboxRow>("OutboxRow", {
    id: ["outbox_entries.id", "bigint"],
    shopId: ["outbox_entries.shop_id", "number"],
    shopDomain: ["shops.domain", "string"],
    kind: ["outbox_entries.kind", "string"],
    payload: ["outbox_entries.payload", "json"],
    idempotencyKey: ["outbox_entries.idempotency_key", "string"],
    attempts: ["outbox_entries.attempts", "number"],
  }),
  rowType<TaskRow>("TaskRow", {
    id: ["tasks.id", "bigint"],
    kind: ["tasks.kind", "string"],
    status: ["tasks.status", "string"],
    done: ["tasks.done", "number"],
    total: ["tasks.total", "number"],
    error: ["tasks.error", "string | null"],
    createdAt: ["tasks.created_at", "Date"],
    updatedAt: ["tasks.updated_at", "Date"],
  }),
];
// OnHandRow is made of sums and joins (computed); it is imported so that a change there is seen
// by whoever reads this list, not described column by column.
export type NotDescribed = OnHandRow;

/** What a column reads back as through the app's pool (app/db.server.ts type parsers). */
function kindOf(dataType: string): string {
  if (dataType === "bigint") return "bigint";
  if (["integer", "smallint"].includes(dataType)) return "number";
  if (dataType === "boolean") return "boolean";
  if (dataType.startsWith("timestamp")) return "Date";
  if (["json", "jsonb"].includes(dataType)) return "json";
  if (["text", "character varying", "USER-DEFINED", "date", "numeric"].includes(dataType)) return "string";
  return `unmapped ${dataType}`;
}

type SchemaColumn = { table_name: string; column_name: string; data_type: string; is_nullable: "YES" | "NO" };

async function schemaColumns(): Promise<Map<string, SchemaColumn>> {
  const columns = await pool().query<SchemaColumn>(
    `select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = current_schema()`,
  );
  return new Map(columns.rows.map((c) => [`${c.table_name}.${c.column_name}`, c]));
}

/** Where a described row type and the schema disagree, one line per field. */
function problemsOf(rowType: RowType, schema: Map<string, SchemaColumn>): string[] {
  const problems: string[] = [];
  for (const [field, [column, kind, outer]] of Object.entries(rowType.fields)) {
    const found = schema.get(column);
    if (!found) {
      problems.push(`${field}: no column ${column}`);
      continue;
    }
    const base = kindOf(found.data_type);
    const nullable = found.is_nullable === "YES";
    const expected = base === "json" ? "json" : nullable ? `${base} | null` : base;
    const accepted = outer && !nullable && base !== "json" ? [expected, `${base} | null`] : [expected];
    if (!accepted.includes(kind)) problems.push(`${field}: the type says ${kind}, ${column} reads as ${expected}`);
  }
  return problems;
}

describe("row types match the schema", () => {
  it.each(described.map((d) => [d.name, d] as const))("%s: every field's column exists with the type's kind and nullability", async (_name, rowType) => {
    expect(problemsOf(rowType, await schemaColumns())).toEqual([]);
  });

  it("a description that disagrees with the schema is reported field by field", async () => {
    const wrong: RowType = {
      name: "wrong",
      fields: {
        closed_at: ["recalls.closed_at", "Date"], // nullable in the schema
        lotNumber: ["lots.lotnumber", "string"], // no such column
        id: ["lots.id", "number"], // BIGINT reads as bigint
        sku: ["variants.sku", "string | null", "outer"], // fine
      },
    };
    expect(problemsOf(wrong, await schemaColumns())).toEqual([
      "closed_at: the type says Date, recalls.closed_at reads as Date | null",
      "lotNumber: no column lots.lotnumber",
      "id: the type says number, lots.id reads as bigint",
    ]);
  });
});
