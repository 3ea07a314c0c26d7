// Runs in a child process whose DATABASE_URL is the bench database (the app's pool is created
// from it on first use). Measures, alternating floor and app so both see the same machine load:
//   - first page of 50 customers:   bare indexed SELECT ... LIMIT 50   vs listLotCustomers
//   - a page of 50 guests (RECALL-1, GUEST-1), from cursors spread over the guests:
//                                   bare range scan of the guest key   vs listLotCustomers (guest cursor)
//   - totals:                       bare aggregate                     vs recallTotals
//   - full regulator CSV:           bare COPY of allocations + orders  vs recallCsvStream (all columns)
//   - forward trace, 5 levels:      bare recursive CTE                 vs traceForward (lots, runs, first page of customers)
// Prints one JSON line with the samples' statistics.
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { pool, closeDb } from "../../app/db.server";
import { listLotCustomers, recallTotals, type ScopeLot } from "../../app/domain/recall/recall-lookup.server";
import { encodeCursor } from "../../app/domain/recall/customer-key";
import { recallCsvStream } from "../../app/domain/exports/recall-exports.server";
import { traceForward } from "../../app/domain/trace/trace.server";

const shopId = Number(process.env.BENCH_SHOP_ID);
const recallLotId = BigInt(process.env.BENCH_RECALL_LOT_ID!);
const traceLotId = BigInt(process.env.BENCH_TRACE_LOT_ID!);
const guestLotId = BigInt(process.env.BENCH_GUEST_LOT_ID!);
const quick = process.env.BENCH_QUICK === "1";

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

async function drain(stream: NodeJS.ReadableStream): Promise<{ bytes: number; rows: number }> {
  let bytes = 0;
  let rows = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    for (let i = 0; i < b.length; i++) if (b[i] === 10) rows++;
  }
  return { bytes, rows };
}

async function pair(rounds: number, floor: () => Promise<unknown>, app: () => Promise<unknown>) {
  // warm-up
  await floor();
  await app();
  const f: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < rounds; i++) {
    f.push(await time(floor));
    a.push(await time(app));
  }
  return { floor: stats(f), app: stats(a) };
}

async function main() {
  const bare = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await bare.connect();
  const lots: ScopeLot[] = [
    { lotId: recallLotId, lotNumber: "RECALL-1", variantId: 1n, status: "ACTIVE", direct: true, depth: 0, expiresOn: null, supplier: null, supplierLot: null },
  ];
  const db = pool();

  const firstPage = await pair(
    quick ? 100 : 300,
    () =>
      bare.query(
        `select a.customer_id, a.order_id, a.line_item_id, a.quantity, a.returned_quantity, a.fulfilled_at, o.name, o.customer_name, o.customer_email
           from allocations a left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
          where a.shop_id = $1 and a.lot_id = $2 and a.customer_id > 0 order by a.customer_id limit 50`,
        [shopId, recallLotId.toString()],
      ),
    () => listLotCustomers(db, shopId, lots, { limit: 50 }),
  );

  // Guest pages: 10 cursors spread evenly over the lot's guest keys, taken in turn by both sides.
  async function guestPages(lotId: bigint, lotNumber: string) {
    const keys = await bare.query<{ customer_key: string; n: string }>(
      `select customer_key, count(*) over ()::text as n from (
         select distinct customer_key from allocations where shop_id = $1 and lot_id = $2 and customer_id is null and status = 'ALLOCATED') k
        order by customer_key`,
      [shopId, lotId.toString()],
    );
    const guests = keys.rows.length;
    const cursors = Array.from({ length: 10 }, (_, i) => keys.rows[Math.floor((i * guests) / 10)]!.customer_key);
    const scope: ScopeLot[] = [{ ...lots[0]!, lotId, lotNumber }];
    let f = 0;
    let a = 0;
    const measured = await pair(
      quick ? 100 : 300,
      () =>
        bare.query(
          `select a.customer_key, a.order_id, a.line_item_id, a.quantity, a.returned_quantity, a.fulfilled_at, o.name, o.customer_name, o.customer_email
             from allocations a left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
            where a.shop_id = $1 and a.lot_id = $2 and a.customer_id is null and a.status = 'ALLOCATED' and a.customer_key > $3
            order by a.customer_key limit 50`,
          [shopId, lotId.toString(), cursors[f++ % cursors.length]],
        ),
      async () => {
        const page = await listLotCustomers(db, shopId, scope, { cursor: encodeCursor({ phase: "guest", after: cursors[a++ % cursors.length]! }), limit: 50 });
        if (page.customers.length === 0) throw new Error("empty guest page");
      },
    );
    return { ...measured, guests };
  }
  const guestPage = await guestPages(recallLotId, "RECALL-1");
  const guestLotPage = await guestPages(guestLotId, "GUEST-1");

  const totals = await pair(
    quick ? 20 : 30,
    () =>
      bare.query(
        `select sum(quantity), sum(returned_quantity), count(distinct customer_id) from allocations where shop_id = $1 and lot_id = $2 and status = 'ALLOCATED'`,
        [shopId, recallLotId.toString()],
      ),
    () => recallTotals(db, shopId, lots),
  );

  let floorCsv = { bytes: 0, rows: 0 };
  let appCsv = { bytes: 0, rows: 0 };
  const csv = await pair(
    quick ? 3 : 5,
    async () => {
      floorCsv = await drain(
        bare.query(
          copyTo(
            `copy (select a.lot_id, a.quantity, a.fulfilled_at, a.location_id, a.customer_id, o.customer_name, o.customer_email, o.shipping_address->>'address1',
                          a.order_id, o.name, a.line_item_id, a.returned_quantity
                     from allocations a left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
                    where a.shop_id = ${shopId} and a.lot_id = ${recallLotId}) to stdout with (format csv)`,
          ),
        ),
      );
    },
    async () => {
      appCsv = await drain(await recallCsvStream(shopId, lots));
    },
  );

  const traceLots: bigint[] = [];
  const trace = await pair(
    quick ? 50 : 300,
    () =>
      bare.query(
        `with recursive walk(lot_id, depth, path) as (
           select $2::bigint, 0, array[$2::bigint]
           union all
           select e.output_lot_id, w.depth + 1, w.path || e.output_lot_id from walk w
             join production_inputs e on e.shop_id = $1 and e.input_lot_id = w.lot_id
            where e.output_lot_id <> all(w.path))
         select lot_id, min(depth) from walk group by lot_id`,
        [shopId, traceLotId.toString()],
      ),
    async () => {
      const t = await traceForward(shopId, [traceLotId], { limit: 50 }, db);
      traceLots.length = 0;
      traceLots.push(...t.lots.map((l) => l.lotId));
    },
  );

  await bare.end();
  await closeDb();
  process.stdout.write(JSON.stringify({ firstPage, guestPage, guestLotPage, totals, csv, floorCsv, appCsv, trace, traceLots: traceLots.length }) + "\n");
}

main().catch((error) => {
  process.stderr.write(String((error as Error).stack ?? error) + "\n");
  process.exit(1);
});
