// `npm run demo`, the README's main command: sets up the preview's own database (isolation.ts:
// never DATABASE_URL's), starts the real web (the app's build-preview/ served by the preview server) and worker processes, builds a simulated store, replays a
// day of signed webhooks over HTTP to /webhooks, prints a summary ending in the recall of one lot,
// and leaves the preview open until Ctrl-C. `--no-wait` (or LOTKEEPER_DEMO_NO_WAIT=1) exits after
// the summary. Shopify's Admin API is answered by the simulator in every process
// (docs/decisions/050-preview-and-demo.md); nothing reaches the real Shopify.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { deliverWebhook } from "./webhook-delivery";
import { stopChild } from "../lib/child-process.server";
import { plural } from "../components/plural";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const started = Date.now();
const children: ChildProcess[] = [];

const { values: args } = parseArgs({
  options: {
    "no-wait": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    port: { type: "string" },
    "summary-json": { type: "string" },
  },
});
const noWait = args["no-wait"] || process.env.LOTKEEPER_DEMO_NO_WAIT === "1";

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
function step(message: string): void {
  console.log(`[${elapsed()}] ${message}`);
}

class DemoError extends Error {
  override name = "DemoError";
}

/**
 * `preferred` when it is free now, else 0: the web process then binds a free port itself and prints
 * it (a free port probed here and handed on could be taken by another process before it binds).
 */
async function webPort(preferred: number): Promise<number> {
  if (preferred === 0) return 0;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(preferred, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  return free ? preferred : 0;
}

function startChild(name: string, argv: string[], env: NodeJS.ProcessEnv, ready?: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray | null }> {
  const child = spawn(TSX, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", remember);
  child.stderr!.on("data", remember);
  child.once("exit", (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} exited unexpectedly (${signal ?? code}). Its last output:\n${output.slice(-4000)}`);
      process.exitCode = 1;
    }
  });
  if (!ready) return Promise.resolve({ child, match: null });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DemoError(`${name} did not start within 90 s:\n${output.slice(-4000)}`)), 90_000);
    const check = () => {
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new DemoError(`${name} exited before it was ready:\n${output.slice(-4000)}`));
    });
  });
}

let stopping = false;
async function stopChildren(): Promise<void> {
  stopping = true;
  await Promise.all(children.map((child) => stopChild(child)));
}

async function main(): Promise<void> {
  if (process.env.NODE_ENV === "production") {
    throw new DemoError("Refusing to run the demo: NODE_ENV is production. The demo simulates Shopify and signs sessions with the preview's own secret.");
  }
  console.log("Lotkeeper demo: a simulated store, a day of Shopify webhooks, and a recall.\n");

  // 1. .env on a fresh clone, then the preview's own environment for this process and its
  // children: its secret, its database (DATABASE_URL's name + _preview, on this machine) and its
  // queue prefix; the database of DATABASE_URL itself is never touched (docs/decisions/090).
  const { ensureDotEnv } = await import("../lib/setup.server");
  const envCreated = ensureDotEnv();
  if (envCreated) (await import("dotenv")).config({ path: path.join(ROOT, ".env"), quiet: true }); // dotenv never overrides what is set
  const { isolatePreviewProcess, buildPreviewApp, PREVIEW_BUILD_DIR } = await import("../preview/isolation");
  const isolated = isolatePreviewProcess();
  const { preparePreviewDatabase } = await import("../preview/preview-database.server");
  const setup = await preparePreviewDatabase(isolated.DATABASE_URL);
  step(
    `database ${new URL(isolated.DATABASE_URL).pathname.slice(1)} ready${setup.created ? " (created)" : ""}, ${setup.migrations.length} migrations applied${envCreated ? "; .env created with a fresh local secret" : ""}`,
  );
  const { checkRedis } = await import("../lib/services.server");
  await checkRedis();

  // 2. The app's production build, in the preview's own folder (build/ is left as it is).
  if (!args["no-build"] || !existsSync(path.join(PREVIEW_BUILD_DIR, "server", "index.js"))) {
    step("building the app (remix vite:build into build-preview/)");
    buildPreviewApp();
  }

  // 3. The simulated Shopify, in this process too (receiving looks up variants and locations).
  const simulator = await import("../preview/shopify-simulator.server");
  simulator.startShopifySimulator();
  const store = await import("./store");
  const day = await import("./day");
  const shop = store.DEMO_SHOP;
  await simulator.resetSimulatedStore(shop);
  await simulator.seedSimulatedStore(shop, store.simulatorCatalog());

  const { withTransaction } = await import("../lib/sql.server");
  const { pool, closeDb } = await import("../db.server");
  const { findShopId } = await import("../domain/shops/shops.server");
  const { eraseShop } = await import("../domain/privacy/privacy.server");
  const previous = await findShopId(pool(), shop);
  if (previous !== undefined) {
    await withTransaction((sql) => eraseShop(sql, previous, shop, null));
    step(`cleared the previous demo run of ${shop}`);
  }

  // 4. Web and worker: the real processes, with the simulator loaded first in each.
  const port = await webPort(Number(args.port ?? process.env.PORT ?? 3000));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" };
  const web = await startChild(
    "web",
    [path.join(ROOT, "app", "preview", "server.ts"), "--port", String(port), "--shop", shop, "--no-worker", "--no-build"],
    childEnv,
    /Lotkeeper preview for \S+: (http:\/\/\S+)\/preview/,
  );
  const baseUrl = web.match![1]!;
  step(`web process listening on ${baseUrl} (pid ${web.child.pid})`);
  const worker = await startChild(
    "worker",
    ["--import", path.join(ROOT, "app", "preview", "simulator-preload.ts"), path.join(ROOT, "workers", "main.ts")],
    childEnv,
  );
  step(`worker process started (pid ${worker.child.pid})`);

  const { env } = await import("../env.server");
  const secret = env().SHOPIFY_API_SECRET;
  const runId = randomUUID().slice(0, 8);
  let delivered = 0;
  const sentBodies = new Map<string, { topic: string; raw: string }>();

  async function deliver(topic: string, body: unknown, webhookId: string = randomUUID()): Promise<number> {
    const raw = JSON.stringify(body);
    sentBodies.set(webhookId, { topic, raw });
    return post(topic, raw, webhookId);
  }
  async function post(topic: string, raw: string, webhookId: string): Promise<number> {
    const response = await deliverWebhook({ baseUrl, shop, secret, topic, raw, webhookId });
    delivered++;
    if (response.status !== 200) throw new DemoError(`${topic} delivery answered ${response.status}: ${await response.text()}`);
    return response.status;
  }

  async function settle(what: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await pool().query<{ events: number; outbox: number }>(
        `select (select count(*)::int from webhook_events where shop_domain = $1 and status = 'PENDING') as events,
                (select count(*)::int from outbox_entries o join shops s on s.id = o.shop_id where s.domain = $1 and o.status = 'PENDING') as outbox`,
        [shop],
      );
      const { events, outbox } = r.rows[0]!;
      if (events === 0 && outbox === 0) return;
      if (Date.now() > deadline)
        throw new DemoError(`${what}: still ${events} webhook events and ${outbox} Shopify changes pending after 120 s (is the worker running?)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new DemoError(`${what} did not happen within ${timeoutMs / 1000} s (is the worker running?)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  // Shopify routes a new order before orders/create is sent: the simulator keeps its fulfillment
  // order at the location the day ships it from (its first fulfilment), else the first location.
  const routeSimulatedOrder = async (order: Record<string, unknown>, events: import("./day").DayEvent[]) => {
    const shipment = events.find((e) => e.kind === "webhook" && e.topic === "fulfillments/create" && e.body.order_id === order.id);
    const locationId = shipment?.kind === "webhook" ? String(shipment.body.location_id) : store.LOCATIONS[0].id;
    const lines = (order.line_items as { id: number; quantity: number }[]).map((l) => ({ id: String(l.id), quantity: l.quantity }));
    await simulator.recordSimulatedOrder(shop, { id: String(order.id), locationId, lines });
  };

  const stockOf = async (changes: { sku: string; location: string; delta: number }[]) => {
    for (const c of changes) await simulator.changeSimulatedQuantity(shop, store.variantBySku(c.sku).inventoryItemId, c.location, "available", c.delta);
  };

  // 5. The store: locations and products arrive as Shopify sends them.
  const now = new Date();
  for (const body of store.locationPayloads(now)) await deliver("locations/create", body);
  for (const body of store.productPayloads(now)) await deliver("products/create", body);
  await settle("catalog");
  const shopId = (await findShopId(pool(), shop))!;
  step(
    `store: ${store.LOCATIONS.length} locations, ${store.PRODUCTS.length} products (${store.simulatorCatalog().variants.length} variants) recorded from webhooks`,
  );

  // 6. Morning: lots received, one production run. The day began 10 hours ago (its webhooks carry
  // Shopify times from then on), so the receipts and the run are dated in that morning, before
  // the first parcel leaves: an export must never show units shipped before their lot arrived.
  const dayStart = new Date(now.getTime() - 10 * 3600_000);
  const { receiveLot } = await import("../domain/lots/receive-lot.server");
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const inDays = (n: number) => new Date(today.getTime() + n * 86_400_000).toISOString().slice(0, 10);
  let units = 0;
  for (const lot of day.MORNING_LOTS) {
    const v = store.variantBySku(lot.sku);
    await receiveLot(
      shopId,
      {
        variantId: v.id,
        lotNumber: lot.lotNumber,
        quantity: lot.quantity,
        locationId: lot.location,
        expiresOn: inDays(lot.expiresInDays),
        supplier: lot.supplier,
        supplierLot: lot.supplierLot,
        purchaseOrder: lot.purchaseOrder,
        unitCost: lot.unitCost,
        currency: "EUR",
        gtin: v.barcode.padStart(14, "0"),
        receivedAt: dayStart,
      },
      { cause: "CLI", causeRef: "demo" },
    );
    units += lot.quantity;
  }
  const { recordProductionRun } = await import("../domain/genealogy/genealogy.server");
  const run = day.PRODUCTION_RUN;
  const box = store.variantBySku(run.outputSku);
  await withTransaction((sql) =>
    recordProductionRun(
      sql,
      shopId,
      {
        kind: run.kind,
        outputVariantId: BigInt(box.id),
        outputLotNumber: run.outputLotNumber,
        quantity: run.quantity,
        locationId: BigInt(run.location),
        inputs: run.inputs.map((i) => ({ lotNumber: i.lotNumber, variantId: BigInt(store.variantBySku(i.sku).id), quantity: i.quantity })),
        reference: "Kitting run 1",
        producedAt: new Date(dayStart.getTime() + 30 * 60_000),
      },
      "CLI",
    ),
  );
  // The run's Shopify adjustments are outbox rows of that transaction: queue them now rather than
  // waiting for the periodic sweep.
  const { sweepPendingOutbox } = await import("../domain/sync/outbox.server");
  await sweepPendingOutbox({ shopId, olderThanMs: 0 });
  await settle("receiving");
  step(
    `morning: ${day.MORNING_LOTS.length} lots received (${units} units, Shopify raised through the outbox), production run ${run.outputLotNumber} made ${run.quantity} boxes from ${run.inputs.map((i) => i.lotNumber).join(" + ")}`,
  );

  // 7. The day's webhooks.
  const events = day.dayEvents(dayStart);
  const total = events.filter((e) => e.kind !== "settle").length;
  let n = 0;
  for (const event of events) {
    if (event.kind === "settle") {
      await settle(event.label);
      step(event.label + ": done");
      continue;
    }
    n++;
    const prefix = `  ${String(n).padStart(2)}/${total}`;
    if (event.kind === "webhook") {
      if (event.stock) await stockOf(event.stock);
      if (event.topic === "orders/create") await routeSimulatedOrder(event.body, events);
      const id: string = event.webhookId ? `${event.webhookId}-${runId}` : randomUUID();
      await deliver(event.topic, event.body, id);
      console.log(`${prefix} ${event.topic.padEnd(20)} ${event.label}`);
    } else if (event.kind === "duplicate") {
      const id = `${event.of}-${runId}`;
      const original = sentBodies.get(id);
      if (!original) throw new DemoError(`no delivery ${event.of} to repeat`);
      await post(original.topic, original.raw, id);
      console.log(`${prefix} ${original.topic.padEnd(20)} ${event.label}`);
    } else {
      await stockOf(event.stock);
      for (const change of event.stock) {
        const v = store.variantBySku(change.sku);
        const available = await simulator.simulatedQuantity(shop, v.inventoryItemId, change.location, "available");
        await deliver("inventory_levels/update", {
          inventory_item_id: Number(v.inventoryItemId),
          location_id: Number(change.location),
          available,
          updated_at: new Date().toISOString(),
          admin_graphql_api_id: `gid://shopify/InventoryLevel/${change.location}?inventory_item_id=${v.inventoryItemId}`,
        });
      }
      console.log(`${prefix} ${"inventory_levels/update".padEnd(20)} ${event.label}`);
      // Reconciliation runs a few seconds after the webhook (a delayed job): wait for its lot.
      await waitFor("reconciliation of the stock added in Shopify", async () => {
        const r = await pool().query("select 1 from lots where shop_id = $1 and incomplete limit 1", [shopId]);
        return Boolean(r.rowCount);
      });
    }
  }
  await settle("the day");
  step(`the day: ${delivered} deliveries to /webhooks, all answered 200 and processed`);

  // 8. End of the day: the supplier calls back a lot.
  const { openRecall, listRecallCustomers } = await import("../domain/recall/recall-case.server");
  const recall = await openRecall(shopId, {
    lots: [{ lotNumber: day.RECALLED_LOT }],
    reason: day.RECALL_REASON,
    severity: "CLASS_I",
    tagShopify: true,
    cause: "CLI",
  });
  await settle("the recall");
  const customers = [];
  let cursor: string | null = null;
  do {
    const page = await listRecallCustomers(shopId, recall.id, cursor, { limit: 500 });
    customers.push(...page.customers);
    cursor = page.nextCursor;
  } while (cursor);
  const { getRecall } = await import("../domain/recall/recall-case.server");
  const settled = (await getRecall(shopId, recall.id))!;
  step(`recall ${recall.reference} opened for ${day.RECALLED_LOT}`);

  // 9. Summary, from what the app recorded.
  const { demoFigures } = await import("./summary.server");
  const figures = await demoFigures(pool(), shopId, shop);
  const mutations = await simulator.simulatedMutations(shop);
  const byOperation = mutations.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.operation]: (acc[m.operation] ?? 0) + 1 }), {});
  // The lots written back on an order (decision 102), as the simulated store holds them.
  const shipped = await pool().query<{ id: bigint; name: string | null }>(
    `select o.id, o.name from orders o where o.shop_id = $1 and o.name is not null
       and exists (select 1 from allocations a where a.shop_id = o.shop_id and a.order_id = o.id and a.status = 'ALLOCATED' and a.lot_id is not null)
     order by o.name limit 1`,
    [shopId],
  );
  const example = shipped.rows[0];
  const lotsNote = example ? ((await simulator.simulatedOrder(shop, String(example.id))).customAttributes.find((a) => a.key === "Lots")?.value ?? null) : null;
  const t = settled.totals;
  const lines = [
    "",
    "Summary",
    "-------",
    `Webhooks      ${delivered} deliveries, ${figures.webhooks.recorded} recorded (duplicates answered 200, recorded once), ${figures.webhooks.processed} processed, ${figures.webhooks.failed} failed`,
    `Orders        ${figures.orders} orders, ${figures.fulfilments.success} fulfilments shipped, ${figures.fulfilments.cancelled} cancelled`,
    `Allocation    ${figures.allocations.units} units in ${figures.allocations.lines} lot allocations (${plural(figures.allocations.splitLines, "line")} split across lots, ${figures.allocations.reversed} reversed by the cancellation), ${plural(figures.allocations.returnedUnits, "unit")} returned to the lot they came from, ${figures.allocations.unknownLotUnits} on the unknown-lot record to resolve`,
    `Lots          ${figures.lots.total} lots, ${figures.lots.expiringWithin30Days} expiring within 30 days, ${figures.lots.incomplete} auto-created from stock added in Shopify (to complete), ${figures.lots.recalled} recalled`,
    `Shopify       ${
      Object.entries(byOperation)
        .map(([op, count]) => `${count} ${op}`)
        .join(", ") || "no mutations"
    } (simulated Admin API, idempotent); ${figures.outbox.pending} pending, ${figures.outbox.failed} failed`,
    `Order lots    ${example ? `${example.name} in Shopify: note attribute Lots = "${lotsNote ?? "(not written)"}", metafield $app.lots (for the packing slip)` : "no order shipped from a lot"}`,
    "",
    `Recall ${settled.reference} (${settled.severity.replace("CLASS_", "class ")}): ${settled.reason}`,
    `  Lots in scope: ${settled.lots.map((l) => `${l.lotNumber}${l.direct ? "" : " (made from it)"}`).join(", ")}`,
    `  ${t.shippedUnits} units shipped to ${t.customers} customers in ${t.orders} orders, ${t.returnedUnits} returned, ${t.outstandingUnits} still with customers`,
    `  ${t.quarantinedUnits} units on hand quarantined (moved to quality control in Shopify)${settled.tagging ? `; ${settled.tagging.sent} of ${settled.tagging.total} orders and customers tagged "${settled.tagging.tag}"` : ""}`,
    `  Customers to contact:`,
    ...customers.map(
      (c) =>
        `    ${(c.redacted ? "(redacted)" : (c.name ?? "(guest)")).padEnd(18)} ${(c.email ?? "").padEnd(28)} ${String(c.units).padStart(2)} unit${c.units === 1 ? " " : "s"}${c.returnedUnits ? `, ${c.returnedUnits} returned` : ""}  ${[...new Set(c.orders.map((o) => `${o.orderName} (${o.lotNumber})`))].join(", ")}`,
    ),
  ];
  console.log(lines.join("\n"));
  if (args["summary-json"]) {
    const { stringify } = await import("../lib/json");
    writeFileSync(
      args["summary-json"],
      stringify({
        shop,
        previewUrl: `${baseUrl}/preview`,
        deliveries: delivered,
        figures,
        shopifyMutations: byOperation,
        orderLots: example ? { order: example.name, attribute: lotsNote } : null,
        recall: { id: settled.id, reference: settled.reference, lots: settled.lots.map((l) => l.lotNumber), totals: t, tagging: settled.tagging },
        customers: customers.map((c) => ({
          name: c.name,
          email: c.email,
          units: c.units,
          returnedUnits: c.returnedUnits,
          orders: c.orders.map((o) => ({ orderName: o.orderName, lot: o.lotNumber, quantity: o.quantity, returnedQuantity: o.returnedQuantity })),
        })),
      }),
    );
  }

  if (noWait) {
    step("done (--no-wait): stopping web and worker");
    await stopChildren();
    await closeDb();
    process.exit(process.exitCode ?? 0);
  }
  console.log(`\nOpen the admin panel: ${baseUrl}/preview   (Ctrl-C to stop)`);
  const stop = async () => {
    console.log("\nstopping web and worker ...");
    await stopChildren();
    await closeDb();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch(async (error: unknown) => {
  console.error(
    `\ndemo failed: ${error instanceof Error ? (error.name === "DemoError" || error.name.endsWith("Error") ? error.message : String(error)) : String(error)}`,
  );
  await stopChildren();
  process.exit(1);
});
