// Report "Stock by expiry" (issue 14): the units on hand by how long they have left, counted from
// the shop's day: expired / 0-30 / 31-60 / 61-90 / 91-180 / later / none (no expiry date), with
// their value at cost (lots.unit_cost), per bucket and per product and location. Every lot status
// counts (quarantined and recalled units are still on the shelf and still worth their cost).
import type { Db } from "../../lib/sql.server";
import type { Day } from "../shops/shop-day";
import type { Report } from "./report";

export const EXPIRY_BUCKETS = ["expired", "0-30", "31-60", "61-90", "91-180", "later", "none"] as const;
export type ExpiryBucket = (typeof EXPIRY_BUCKETS)[number];

const BUCKET_SQL = `case when l.expires_on is null then 'none'
  when l.expires_on < $2::date then 'expired'
  when l.expires_on - $2::date <= 30 then '0-30'
  when l.expires_on - $2::date <= 60 then '31-60'
  when l.expires_on - $2::date <= 90 then '61-90'
  when l.expires_on - $2::date <= 180 then '91-180'
  else 'later' end`;

interface GroupRow {
  bucket: ExpiryBucket;
  product: string;
  location_id: string;
  location: string | null;
  lots: number;
  units: number;
  value_cents: string | null;
  units_without_cost: number;
}

const money = (cents: number) => (cents / 100).toFixed(2);

export const expiryReport: Report = {
  name: "expiry",
  title: "Stock by expiry",
  description: "Units on hand by the days they have left (in the shop's time zone), with their value at cost, per product and location.",
  columns: [
    { key: "bucket", label: "Days left", kind: "text" },
    { key: "product", label: "Product", kind: "text" },
    { key: "location", label: "Location", kind: "text" },
    { key: "lots", label: "Lots", kind: "number" },
    { key: "units", label: "Units", kind: "number" },
    { key: "value", label: "Value at cost", kind: "money" },
    { key: "unitsWithoutCost", label: "Units without a cost", kind: "number" },
  ],
  chart: { type: "bar", x: "bucket", series: [{ key: "units", label: "Units" }], rows: "buckets" },
  async run(sql, shopId, options, today) {
    const r = await sql.query<GroupRow>(
      `select ${BUCKET_SQL} as bucket,
              coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku, 'Variant ' || l.variant_id) as product,
              b.location_id::text, loc.name as location, count(distinct l.id)::int as lots, sum(b.quantity)::int as units,
              round(sum(b.quantity * l.unit_cost) * 100)::bigint::text as value_cents,
              coalesce(sum(b.quantity) filter (where l.unit_cost is null), 0)::int as units_without_cost
         from lot_balances b
         join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
         left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
         left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
        where b.shop_id = $1 and b.quantity > 0 and ($3::bigint is null or b.location_id = $3::bigint)
        group by 1, 2, b.location_id, loc.name`,
      [shopId, today, options.locationId?.toString() ?? null],
    );
    const currency = (await sql.query<{ currency: string | null }>("select currency from shops where id = $1", [shopId])).rows[0]?.currency ?? null;
    const order = (b: ExpiryBucket) => EXPIRY_BUCKETS.indexOf(b);
    const groups = r.rows.sort((a, b) => order(a.bucket) - order(b.bucket) || a.product.localeCompare(b.product) || a.location_id.localeCompare(b.location_id));
    const buckets = EXPIRY_BUCKETS.map((bucket) => {
      const inBucket = groups.filter((g) => g.bucket === bucket);
      const cents = inBucket.reduce((sum, g) => sum + Number(g.value_cents ?? 0), 0);
      return {
        bucket,
        lots: inBucket.reduce((sum, g) => sum + g.lots, 0),
        units: inBucket.reduce((sum, g) => sum + g.units, 0),
        value: money(cents),
        currency,
        unitsWithoutCost: inBucket.reduce((sum, g) => sum + g.units_without_cost, 0),
      };
    });
    const rows = groups.map((g) => ({
      bucket: g.bucket,
      product: g.product,
      location: g.location ?? `Location ${g.location_id}`,
      locationId: g.location_id,
      lots: g.lots,
      units: g.units,
      value: money(Number(g.value_cents ?? 0)),
      unitsWithoutCost: g.units_without_cost,
    }));
    const lots = options.detail ? await lotsByExpiry(sql, shopId, today, options.locationId ?? null) : undefined;
    return { json: { today, currency, buckets, rows, ...(lots ? { lots } : {}) }, rows, chartPoints: buckets };
  },
};

/** Every lot with units on hand, per location, with its bucket and value at cost (the CLI's `lots`). */
async function lotsByExpiry(sql: Db, shopId: number, today: Day, locationId: bigint | null) {
  const r = await sql.query<{
    lot_id: bigint;
    lot_number: string;
    status: string;
    product: string;
    location_id: string;
    location: string | null;
    expires_on: string | null;
    days_left: number | null;
    bucket: ExpiryBucket;
    units: number;
    unit_cost: string | null;
    value_cents: string | null;
  }>(
    `select l.id as lot_id, l.lot_number, l.status::text as status,
            coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku, 'Variant ' || l.variant_id) as product,
            b.location_id::text, loc.name as location, to_char(l.expires_on, 'YYYY-MM-DD') as expires_on, (l.expires_on - $2::date) as days_left,
            ${BUCKET_SQL} as bucket, b.quantity as units, l.unit_cost::text, round(b.quantity * l.unit_cost * 100)::bigint::text as value_cents
       from lot_balances b
       join lots l on l.id = b.lot_id and l.shop_id = b.shop_id
       left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
       left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
      where b.shop_id = $1 and b.quantity > 0 and ($3::bigint is null or b.location_id = $3::bigint)
      order by l.expires_on nulls last, l.id, b.location_id`,
    [shopId, today, locationId?.toString() ?? null],
  );
  return r.rows.map((row) => ({
    lotId: row.lot_id.toString(),
    lotNumber: row.lot_number,
    status: row.status,
    product: row.product,
    locationId: row.location_id,
    location: row.location ?? `Location ${row.location_id}`,
    expiresOn: row.expires_on,
    daysLeft: row.days_left,
    bucket: row.bucket,
    units: row.units,
    unitCost: row.unit_cost,
    value: row.value_cents === null ? null : money(Number(row.value_cents)),
  }));
}
