// The two things the daily expiry job finds about lots, once per lot, kind and expiry date
// (expiry_events): a lot that EXPIRED with units on hand, and a lot that entered its ALERT window
// (its product's days before expiry, else the shop's). Finding and recording are one statement,
// so two runs at once record each lot once; a dry run finds without recording.
import type { ExpiryStepContext } from "./expiry-step";

export type ExpiryEventKind = "EXPIRED" | "ALERT";

/** A listed lot in a step's result; the list is capped at LISTED_LOTS (count and units are not). */
export interface FoundLot {
  lotId: string;
  lotNumber: string;
  product: string;
  expiresOn: string;
  daysLeft: number;
  units: number;
  locations: { locationId: string; name: string | null; units: number }[];
}

export interface FoundLots {
  count: number;
  units: number;
  lots: FoundLot[];
}

export const LISTED_LOTS = 200;

const CONDITION: Record<ExpiryEventKind, string> = {
  EXPIRED: "l.expires_on < $2::date",
  ALERT: "l.expires_on >= $2::date and l.expires_on <= $2::date + coalesce(v.expiry_alert_days, s.expiry_alert_days)",
};

// Not in a dry run: Postgres refuses a statement that could write inside the read-only transaction a dry run holds.
const RECORD_SQL = `,
     recorded as (
       insert into expiry_events (shop_id, lot_id, kind, expires_on, day, units)
       select $1, lot_id, $3::"ExpiryEventKind", expires_on, $2::date, units from found
       on conflict (shop_id, lot_id, kind, expires_on) do nothing
       returning id, lot_id
     )`;

/** A lot found, with its new expiry_events row (null in a dry run). */
export interface RecordedLot extends FoundLot {
  eventId: bigint | null;
}

/** Every lot found, oldest expiry first; summarise() gives the step's result. */
export async function recordExpiryEvents(ctx: ExpiryStepContext, kind: ExpiryEventKind): Promise<RecordedLot[]> {
  const r = await ctx.sql.query<{
    lot_id: bigint;
    event_id: bigint | null;
    lot_number: string;
    product: string;
    expires_on: string;
    days_left: number;
    units: number;
    locations: FoundLot["locations"];
  }>(
    `with due as (
       select l.id as lot_id, l.lot_number, l.expires_on,
              coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku, 'Variant ' || l.variant_id) as product,
              (select sum(b.quantity) from lot_balances b where b.lot_id = l.id and b.shop_id = l.shop_id)::int as units
         from lots l
         join shops s on s.id = l.shop_id
         left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on is not null and ${CONDITION[kind]}
          and not exists (select 1 from expiry_events e
                           where e.shop_id = l.shop_id and e.lot_id = l.id and e.kind = $3::"ExpiryEventKind" and e.expires_on = l.expires_on)
     ),
     found as (select * from due where units > 0)${ctx.dryRun ? "" : RECORD_SQL}
     select f.lot_id, ${ctx.dryRun ? "null::bigint" : "(select r.id from recorded r where r.lot_id = f.lot_id)"} as event_id, f.lot_number, f.product, to_char(f.expires_on, 'YYYY-MM-DD') as expires_on, (f.expires_on - $2::date) as days_left, f.units,
            (select coalesce(json_agg(json_build_object('locationId', b.location_id::text, 'name', loc.name, 'units', b.quantity) order by b.location_id), '[]')
               from lot_balances b left join locations loc on loc.shop_id = b.shop_id and loc.id = b.location_id
              where b.shop_id = $1 and b.lot_id = f.lot_id and b.quantity > 0) as locations
       from found f
     ${ctx.dryRun ? "" : "where f.lot_id in (select lot_id from recorded)"}
      order by f.expires_on, f.lot_id`,
    [ctx.shopId, ctx.day, kind],
  );
  return r.rows.map((row) => ({
    lotId: row.lot_id.toString(),
    eventId: row.event_id,
    lotNumber: row.lot_number,
    product: row.product,
    expiresOn: row.expires_on,
    daysLeft: row.days_left,
    units: row.units,
    locations: row.locations,
  }));
}

/** A step's result: how many lots and units, and the first LISTED_LOTS of them. */
export function summarise(lots: readonly RecordedLot[]): FoundLots {
  return {
    count: lots.length,
    units: lots.reduce((sum, lot) => sum + lot.units, 0),
    lots: lots.slice(0, LISTED_LOTS).map(({ eventId: _eventId, ...lot }) => lot),
  };
}
