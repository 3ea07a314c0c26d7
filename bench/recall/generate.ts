// Data for the recall benchmark, generated inside Postgres (INSERT ... SELECT generate_series),
// with the secondary indexes dropped during the load and rebuilt after it (then ANALYZE).
//
// Full size: 1,000 shops, 10,000,000 allocation rows. Shop #1 (the "target") has lot RECALL-1
// shipped to 100,000 customers (1 % guests without a customer id, 5 % with a return, 0.2 %
// redacted), 200 unknown-lot shipments of the same variant, lot GUEST-1 shipped mostly to guests
// (100,000 allocations, 95 % without a customer id, 0.2 % redacted: guest keys email:/order:), and a
// genealogy: lot WAX-1 feeding
// 5 levels of production runs (2 outputs per lot: 62 downstream lots, 100 customers each). Every
// other shop has 100 lots with the rest of the allocations. Orders (customer snapshot) exist for
// every allocation of the target shop, the one the benchmark reads; other shops carry only
// allocations, which is what makes the recall indexes large.
// allocations.customer_key: the customer id for the other shops' rows (they have no orders), and
// for the target shop copied from its orders (orders.customer_key) once they are written, as
// the app copies it.
import type pg from "pg";

export interface Size {
  shops: number;
  allocations: number;
  recallCustomers: number;
  /** Allocations of GUEST-1 (95 % guests). */
  guestLotShipments: number;
}

export const FULL: Size = { shops: 1000, allocations: 10_000_000, recallCustomers: 100_000, guestLotShipments: 100_000 };
export const QUICK: Size = { shops: 20, allocations: 200_000, recallCustomers: 10_000, guestLotShipments: 10_000 };

export interface Dataset {
  shopId: number;
  recallLotId: bigint;
  traceLotId: bigint;
  guestLotId: bigint;
  allocations: number;
}

const CUSTOMER_BASE = 7_000_000_000_000n;
const LEVELS = 5;

async function secondaryIndexes(client: pg.Client, tables: string[]): Promise<{ name: string; def: string }[]> {
  const r = await client.query<{ indexname: string; indexdef: string }>(
    `select i.indexname, i.indexdef from pg_indexes i
       join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
      where i.schemaname = 'public' and i.tablename = any($1) and not x.indisprimary and not x.indisunique`,
    [tables],
  );
  return r.rows.map((x) => ({ name: x.indexname, def: x.indexdef }));
}

export async function generate(client: pg.Client, size: Size, log: (m: string) => void): Promise<Dataset> {
  const tables = [
    "allocations",
    "orders",
    "order_lines",
    "lots",
    "lot_balances",
    "ledger_entries",
    "production_runs",
    "production_inputs",
    "variants",
    "locations",
    "allocation_returns",
    "fulfillments",
  ];
  await client.query(`truncate ${tables.join(", ")}, recalls, recall_lots, recall_customers, outbox_entries, shops restart identity cascade`);
  const indexes = await secondaryIndexes(client, ["allocations", "orders", "lots", "lot_balances", "ledger_entries"]);
  for (const ix of indexes) await client.query(`drop index "${ix.name}"`);
  // The target shop's allocations get their customer_key from its orders, written after them.
  await client.query(`alter table allocations alter column customer_key set default ''`);
  const t0 = Date.now();

  await client.query(
    `insert into shops (domain, updated_at) select 'bench-' || lpad(g::text, 4, '0') || '.myshopify.com', now() from generate_series(1, $1::int) g`,
    [size.shops],
  );
  const target = (await client.query<{ id: number }>("select min(id)::int as id from shops")).rows[0]!.id;
  await client.query(
    `insert into variants (shop_id, id, sku, title, product_title, barcode, lot_tracked, updated_at)
     select s.id, v, 'SKU-' || v, '250 g', 'Product ' || v, case when v = 1 then '4006381333931' end, true, now()
       from shops s cross join generate_series(1, 10) v`,
  );
  await client.query(`insert into locations (shop_id, id, name) select s.id, l, 'Location ' || l from shops s cross join generate_series(1, 2) l`);
  await client.query(
    `insert into lots (shop_id, variant_id, lot_number, status, expires_on, received_at, supplier, supplier_lot, purchase_order, updated_at)
     select s.id, v, 'LOT-' || v || '-' || n, 'ACTIVE', date '2027-01-01' + n, now() - interval '90 days', 'Supplier ' || (n % 7), 'SL-' || n, 'PO-' || n, now()
       from shops s, generate_series(1, 10) v, generate_series(1, 10) n`,
  );
  const recallLotId = (
    await client.query<{ id: string }>(
      `insert into lots (shop_id, variant_id, lot_number, status, expires_on, received_at, supplier, supplier_lot, purchase_order, updated_at)
       values ($1, 1, 'RECALL-1', 'ACTIVE', '2027-06-30', now() - interval '60 days', 'Acme Foods', 'AF-9', 'PO-77', now()) returning id::text`,
      [target],
    )
  ).rows[0]!.id;
  const guestLotId = (
    await client.query<{ id: string }>(
      `insert into lots (shop_id, variant_id, lot_number, status, expires_on, received_at, supplier, supplier_lot, purchase_order, updated_at)
       values ($1, 1, 'GUEST-1', 'ACTIVE', '2027-07-31', now() - interval '60 days', 'Acme Foods', 'AF-10', 'PO-78', now()) returning id::text`,
      [target],
    )
  ).rows[0]!.id;
  log(`shops, variants, lots: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Allocations of every shop except the recall lot's, spread over each shop's 100 lots.
  const recallRows = size.recallCustomers;
  const perShop = Math.floor((size.allocations - recallRows - size.guestLotShipments - 200 - 6200 - 1000) / size.shops);
  const t1 = Date.now();
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select s.id, 1000000000000 + s.id::bigint * 1000000 + g, 2000000000000 + s.id::bigint * 1000000 + g, 3000000000000 + s.id::bigint * 1000000 + g,
            l.variant_id, ${CUSTOMER_BASE} + 500000 + (g % 50000), (${CUSTOMER_BASE} + 500000 + (g % 50000))::text, l.id, false, 1 + g % 2, 1 + g % 3, 0, 'ALLOCATED',
            now() - (g % 2000) * interval '1 hour', now()
       from shops s cross join generate_series(1, $1::int) g
       join lots l on l.shop_id = s.id and l.lot_number = 'LOT-' || (1 + g % 10) || '-' || (1 + (g / 10) % 10) and l.variant_id = 1 + g % 10`,
    [perShop],
  );
  log(`${perShop * size.shops} background allocations: ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  // The recalled lot: one allocation per customer; 1 % guests, 5 % partly returned.
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select $1, 4000000000000 + g, 4100000000000 + g, 4200000000000 + g, 1,
            case when g % 100 = 0 then null else ${CUSTOMER_BASE} + g end, $2::bigint, false, 1 + g % 2,
            case when g % 20 = 0 then 2 else 1 end, case when g % 20 = 0 then 1 else 0 end, 'ALLOCATED',
            now() - interval '59 days' + (g::float / $3) * interval '58 days', now()
       from generate_series(1, $3::int) g`,
    [target, recallLotId, recallRows],
  );
  // The guest lot: 95 % guests (one order each), 5 % customers with an id.
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select $1, 5000000000000 + g, 5100000000000 + g, 5200000000000 + g, 1,
            case when g % 20 = 0 then ${CUSTOMER_BASE} + 600000 + g end, $2::bigint, false, 1 + g % 2,
            1, 0, 'ALLOCATED', now() - interval '59 days' + (g::float / $3) * interval '58 days', now()
       from generate_series(1, $3::int) g`,
    [target, guestLotId, size.guestLotShipments],
  );
  // Unknown-lot shipments of the same variant inside the lot's window.
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select $1, 4300000000000 + g, 4400000000000 + g, 4500000000000 + g, 1, ${CUSTOMER_BASE} + 900000 + g, null, true, 1, 1, 0, 'ALLOCATED',
            now() - (g % 50) * interval '1 day', now()
       from generate_series(1, 200) g`,
    [target],
  );
  await client.query(
    `insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at)
     select l.id, loc, l.shop_id, l.variant_id, 100 * loc, now() from lots l cross join generate_series(1, 2) loc`,
  );
  await client.query(
    `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref, created_at)
     select l.shop_id, l.id, 1, 'RECEIVED', 100000, 100000, 'USER', 'bench', l.received_at from lots l`,
  );

  // Genealogy: WAX-1 -> 5 levels of runs, 2 outputs per lot, 100 customers per downstream lot.
  const wax = await client.query<{ id: string }>(
    `insert into lots (shop_id, variant_id, lot_number, status, received_at, supplier, updated_at)
     values ($1, 2, 'WAX-1', 'ACTIVE', now() - interval '80 days', 'Wax Co', now()) returning id::text`,
    [target],
  );
  const traceLotId = wax.rows[0]!.id;
  let level: string[] = [traceLotId];
  let made = 0;
  for (let depth = 1; depth <= LEVELS; depth++) {
    const next: string[] = [];
    for (const parent of level) {
      for (let k = 0; k < 2; k++) {
        made++;
        const child = await client.query<{ id: string }>(
          `insert into lots (shop_id, variant_id, lot_number, status, received_at, updated_at)
           values ($1, $2, $3, 'ACTIVE', now() - interval '70 days' + $4 * interval '1 day', now()) returning id::text`,
          [target, 2 + depth, `KIT-${depth}-${made}`, depth],
        );
        const run = await client.query<{ id: string }>(
          `insert into production_runs (shop_id, kind, output_lot_id, output_quantity, location_id, created_at)
           values ($1, 'KIT', $2, 100, 1, now() - interval '70 days' + $3 * interval '1 day') returning id::text`,
          [target, child.rows[0]!.id, depth],
        );
        await client.query(`insert into production_inputs (shop_id, run_id, input_lot_id, output_lot_id, quantity) values ($1, $2, $3, $4, 50)`, [
          target,
          run.rows[0]!.id,
          parent,
          child.rows[0]!.id,
        ]);
        next.push(child.rows[0]!.id);
      }
    }
    level = next;
  }
  const downstream = await client.query<{ id: string }>(`select id::text from lots where shop_id = $1 and lot_number like 'KIT-%' order by id`, [target]);
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select $1, 4600000000000 + n * 1000 + g, 4700000000000 + n * 1000 + g, 4800000000000 + n * 1000 + g, l.variant_id,
            ${CUSTOMER_BASE} + 800000 + n * 1000 + g, l.id, false, 1, 1, 0, 'ALLOCATED', now() - interval '10 days', now()
       from unnest($2::bigint[]) with ordinality as d(id, n) join lots l on l.id = d.id cross join generate_series(1, 100) g`,
    [target, downstream.rows.map((r) => r.id)],
  );
  await client.query(
    `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, lot_id, unknown_lot, location_id,
                              quantity, returned_quantity, status, fulfilled_at, updated_at)
     select $1, 4900000000000 + g, 4910000000000 + g, 4920000000000 + g, 2, ${CUSTOMER_BASE} + 700000 + g, $2::bigint, false, 1, 1, 0, 'ALLOCATED',
            now() - interval '20 days', now()
       from generate_series(1, 1000) g`,
    [target, traceLotId],
  );

  // Orders with the customer snapshot for every allocation of the target shop.
  const t2 = Date.now();
  await client.query(
    `insert into orders (shop_id, id, name, email, customer_id, customer_name, customer_email, customer_phone, shipping_address, redacted,
                         shopify_created_at, updated_at)
     select a.shop_id, a.order_id, '#' || (a.order_id % 10000000),
            case when a.order_id % 500 = 0 then null else 'buyer' || a.order_id || '@example.com' end,
            a.customer_id,
            case when a.order_id % 500 = 0 then null else 'Customer ' || a.order_id % 100000 end,
            case when a.order_id % 500 = 0 then null else 'buyer' || a.order_id || '@example.com' end,
            case when a.order_id % 500 = 0 then null else '+1503555' || lpad((a.order_id % 10000)::text, 4, '0') end,
            case when a.order_id % 500 = 0 then null else jsonb_build_object('name', 'Customer ' || a.order_id % 100000, 'address1', (a.order_id % 999) || ' Orchard Lane',
              'city', 'Portland', 'province_code', 'OR', 'zip', '97205', 'country_code', 'US') end,
            a.order_id % 500 = 0, a.fulfilled_at, now()
       from allocations a where a.shop_id = $1`,
    [target],
  );
  await client.query(
    `update allocations a set customer_key = o.customer_key from orders o where a.shop_id = $1 and o.shop_id = a.shop_id and o.id = a.order_id`,
    [target],
  );
  await client.query("alter table allocations alter column customer_key drop default");
  log(`orders of the target shop (and the allocations' customer keys): ${((Date.now() - t2) / 1000).toFixed(1)} s`);

  const t3 = Date.now();
  for (const ix of indexes) await client.query(ix.def);
  await client.query("analyze");
  log(`indexes rebuilt and analyzed: ${((Date.now() - t3) / 1000).toFixed(1)} s`);
  const count = await client.query<{ n: string }>("select count(*)::text as n from allocations");
  return {
    shopId: target,
    recallLotId: BigInt(recallLotId),
    traceLotId: BigInt(traceLotId),
    guestLotId: BigInt(guestLotId),
    allocations: Number(count.rows[0]!.n),
  };
}
