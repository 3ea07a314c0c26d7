// Child process of bench/lots/run.ts (its own DATABASE_URL and queue prefix, set before the app's
// modules load). Prints one JSON line with the measurements.
//   gs1:     parseGs1 over varied scans  vs  floor: split on GS and slice fixed offsets (no checks)
//   receive: receiveLot (validation, lookups, lot upsert, balance + ledger, outbox row, queue add)
//            vs floor: the same durable writes as four bare SQL statements + one BullMQ add
import { Queue } from "bullmq";
import { parseGs1 } from "../../app/domain/gs1/gs1";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { pool, closeDb } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { producerConnection } from "../../app/lib/redis.server";
import { env } from "../../app/env.server";
import { percentile } from "../lib/stats";

const quick = process.argv.includes("--quick");
const GS = "\u001d";

function gtin(n: number): string {
  const base = String(950600013000 + n).padStart(13, "0");
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(base[12 - i]) * (i % 2 === 0 ? 3 : 1);
  return base + String((10 - (sum % 10)) % 10);
}

function scans(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const g = gtin(i);
    const lot = `L${(i * 7919).toString(36).toUpperCase()}`;
    switch (i % 3) {
      case 0:
        return `]d201${g}17${27 + (i % 3)}0${1 + (i % 9)}00` + `10${lot}${GS}21S${i}`;
      case 1:
        return `(01)${g}(17)2712${String(1 + (i % 28)).padStart(2, "0")}(10)${lot}`;
      default:
        return `https://id.example.com/01/${g}/10/${lot}?17=280131`;
    }
  });
}

function floorParse(s: string): number {
  // What a parser that checks nothing does: strip a prefix, split on GS, slice offsets.
  const body = s.startsWith("]") ? s.slice(3) : s;
  const parts = body.split(GS);
  let n = 0;
  for (const p of parts) n += p.slice(0, 2).length + p.slice(2, 16).length + p.slice(16, 24).length;
  return n;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function measureGs1() {
  const inputs = scans(3000);
  const rounds = quick ? 20 : 100;
  let sink = 0;
  // warm-up
  for (const s of inputs) sink += parseGs1(s).elements.length + floorParse(s);
  let appMs = 0;
  let floorMs = 0;
  for (let r = 0; r < rounds; r++) {
    floorMs += time(() => {
      for (const s of inputs) sink += floorParse(s);
    });
    appMs += time(() => {
      for (const s of inputs) sink += parseGs1(s).elements.length;
    });
  }
  const total = inputs.length * rounds;
  return { scans: total, appPerSecond: total / (appMs / 1000), floorPerSecond: total / (floorMs / 1000), sink };
}

/** p from 0 to 100 of unsorted samples. */
function percentileOf(values: number[], p: number): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    p / 100,
  );
}

async function measureReceive() {
  const db = pool();
  const domain = `bench-lots-${Date.now()}.myshopify.com`;
  const shop = await db.query<{ id: number }>("insert into shops (domain, updated_at) values ($1, now()) returning id", [domain]);
  const shopId = shop.rows[0]!.id;
  const variantId = 4_000_000_000_001n;
  const itemId = 5_000_000_000_001n;
  const locationId = 6_000_000_001n;
  await db.query("insert into variants (shop_id, id, inventory_item_id, sku, updated_at) values ($1, $2, $3, 'BENCH', now())", [shopId, variantId, itemId]);
  await db.query("insert into locations (shop_id, id, name) values ($1, $2, 'Bench')", [shopId, locationId]);
  const floorQueue = new Queue("bench-floor", { connection: producerConnection(), prefix: env().QUEUE_PREFIX });
  const count = quick ? 300 : 1500;
  const app: number[] = [];
  const floor: number[] = [];
  const appReceipt = async (i: number) => {
    await receiveLot(
      shopId,
      { variantId, lotNumber: `A-${Math.floor(i / 5)}`, quantity: 3, locationId, expiresOn: "2028-01-31", purchaseOrder: "PO-1" },
      { cause: "JOB" },
    );
  };
  const floorReceipt = async (i: number) => {
    const id = await withTransaction(async (sql) => {
      const lot = await sql.query<{ id: bigint }>(
        `insert into lots (shop_id, variant_id, lot_number, expires_on, purchase_order, updated_at) values ($1, $2, $3, '2028-01-31', 'PO-1', now())
         on conflict (shop_id, variant_id, lot_number) do update set updated_at = now() returning id`,
        [shopId, variantId + 1n, `F-${Math.floor(i / 5)}`],
      );
      const lotId = lot.rows[0]!.id;
      await sql.query(
        `insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at) values ($1, $2, $3, $4, 3, now())
         on conflict (lot_id, location_id) do update set quantity = lot_balances.quantity + 3`,
        [lotId, locationId, shopId, variantId + 1n],
      );
      const ledger = await sql.query<{ id: bigint }>(
        `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause) values ($1, $2, $3, 'RECEIVED', 3, 3, 'JOB') returning id`,
        [shopId, lotId, locationId],
      );
      const outbox = await sql.query<{ id: bigint }>(
        `insert into outbox_entries (shop_id, kind, payload, idempotency_key) values ($1, 'inventory.adjust', '{}'::jsonb, $2) returning id`,
        [shopId, `floor:${ledger.rows[0]!.id}`],
      );
      return outbox.rows[0]!.id;
    });
    await floorQueue.add("x", { outboxId: String(id) }, { jobId: `floor-${id}` });
  };
  for (let i = 0; i < 20; i++) {
    await appReceipt(100_000 + i);
    await floorReceipt(100_000 + i);
  }
  // Alternate in blocks so both see the same machine load.
  for (let block = 0; block < count / 50; block++) {
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await floorReceipt(block * 50 + i);
      floor.push(performance.now() - t);
    }
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await appReceipt(block * 50 + i);
      app.push(performance.now() - t);
    }
  }
  await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
  await floorQueue.obliterate({ force: true });
  await floorQueue.close();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    receipts: count,
    appPerSecond: count / (sum(app) / 1000),
    floorPerSecond: count / (sum(floor) / 1000),
    appP50: percentileOf(app, 50),
    appP99: percentileOf(app, 99),
    floorP50: percentileOf(floor, 50),
    floorP99: percentileOf(floor, 99),
  };
}

const gs1 = await measureGs1();
const receive = await measureReceive();
process.stdout.write(JSON.stringify({ gs1, receive }) + "\n");
await closeQueues();
await closeDb();
process.exit(0);
