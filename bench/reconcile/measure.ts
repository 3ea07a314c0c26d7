// Runs in a child process whose DATABASE_URL is the bench database. For each size, two identical
// shops (5 locations per item, 1 % of Shopify's levels differ from the lots): one is reconciled by
// paging (reconcileShop), the other through the bulk query (startBulkReconciliation +
// finishBulkReconciliation). Shopify is answered in-process by msw (instantly: our side's time
// only); every Admin call is recorded with its requested cost by Shopify's rules (./cost.ts).
// Prints one JSON line.
import { randomBytes } from "node:crypto";
import { setupServer } from "msw/node";
import { graphql, http, HttpResponse } from "msw";
import { requestedCost } from "./cost";
import { bulkOnHandJsonl, seedLargeStore, type LargeStore } from "../../test/helpers/large-store";

const server = setupServer();
server.listen({ onUnhandledRequest: "error" }); // before the app's modules keep a reference to fetch

const { pool, prisma, closeDb } = await import("../../app/db.server");
const { DEFAULT_SCOPES } = await import("../../app/env.server");
const { reconcileShop } = await import("../../app/domain/reconcile/reconcile.server");
const { finishBulkReconciliation, startBulkReconciliation } = await import("../../app/domain/reconcile/bulk-reconcile.server");
const { bulkOnHandLevels, ON_HAND_BATCH, ON_HAND_QUERY } = await import("../../app/lib/shopify-admin.server");

const quick = process.env.BENCH_QUICK === "1";
const SIZES = quick ? [1_000, 5_000] : [1_000, 50_000];
const LOCATIONS = 5;

type Level = { inventoryItemId: bigint; locationId: bigint; onHand: number };
const shopifyStores = new Map<string, { levels: Level[]; byItem: Map<string, Level[]> }>();
const calls: { shop: string; operation: string; cost: number }[] = [];
const jsonl = new Map<string, string>();
let nextOperation = 1n;

const cost = (requested: number) => ({
  requestedQueryCost: requested,
  actualQueryCost: requested,
  throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 },
});
server.use(
  graphql.query("LotkeeperOnHand", ({ query, variables, request }) => {
    const shop = new URL(request.url).hostname;
    const store = shopifyStores.get(shop)!;
    const requested = requestedCost(query, variables);
    calls.push({ shop, operation: "LotkeeperOnHand", cost: requested });
    return HttpResponse.json({
      data: {
        nodes: (variables.ids as string[]).map((id) => ({
          id,
          inventoryLevels: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: (store.byItem.get(id.split("/").pop()!) ?? []).map((l) => ({
              location: { id: `gid://shopify/Location/${l.locationId}`, name: `Location` },
              quantities: [{ name: "on_hand", quantity: l.onHand }],
            })),
          },
        })),
      },
      extensions: { cost: cost(requested) },
    });
  }),
  graphql.mutation("LotkeeperBulkOnHandStart", ({ query, variables, request }) => {
    const shop = new URL(request.url).hostname;
    const requested = requestedCost(query, variables);
    calls.push({ shop, operation: "LotkeeperBulkOnHandStart", cost: requested });
    const id = `gid://shopify/BulkOperation/${nextOperation++}`;
    jsonl.set(id.split("/").pop()!, bulkOnHandJsonl(shopifyStores.get(shop)!.levels)); // Shopify's snapshot
    return HttpResponse.json({
      data: { bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED" }, userErrors: [] } },
      extensions: { cost: cost(requested) },
    });
  }),
  graphql.query("LotkeeperBulkOperation", ({ query, variables, request }) => {
    const shop = new URL(request.url).hostname;
    const requested = requestedCost(query, variables);
    calls.push({ shop, operation: "LotkeeperBulkOperation", cost: requested });
    const n = String(variables.id).split("/").pop()!;
    return HttpResponse.json({
      data: {
        bulkOperation: {
          id: variables.id,
          status: "COMPLETED",
          errorCode: null,
          objectCount: "0",
          url: `https://storage.bench.invalid/${n}.jsonl`,
          partialDataUrl: null,
          completedAt: null,
        },
      },
      extensions: { cost: cost(requested) },
    });
  }),
  http.get(
    "https://storage.bench.invalid/:file",
    ({ params }) => new HttpResponse(jsonl.get(String(params.file).replace(/\.jsonl$/, "")) ?? "", { headers: { "Content-Type": "application/jsonl" } }),
  ),
);

async function shopWith(levels: number, label: string): Promise<{ shopId: number; domain: string; store: LargeStore }> {
  const domain = `bench-${label}-${randomBytes(4).toString("hex")}.myshopify.com`;
  const shop = await prisma.shop.create({ data: { domain } });
  await prisma.session.create({
    data: { id: `offline_${domain}`, shop: domain, state: "", isOnline: false, scope: DEFAULT_SCOPES, accessToken: "shpat_bench" },
  });
  const idBase = BigInt(shop.id) * 100_000_000n;
  const store = await seedLargeStore(pool(), shop.id, { items: levels / LOCATIONS, locations: LOCATIONS, idBase });
  // Shopify agrees with the lots except on 1 % of the levels: +3 (no lot explains them) or -3 (missing).
  const shopifyLevels: Level[] = [];
  let i = 0;
  for (const v of store.variants) {
    for (const locationId of store.locations) {
      const off = i % 100 === 0 ? (i % 200 === 0 ? 3 : -3) : 0;
      shopifyLevels.push({ inventoryItemId: v.inventoryItemId, locationId, onHand: store.units + off });
      i += 1;
    }
  }
  const byItem = new Map<string, Level[]>();
  for (const l of shopifyLevels) byItem.set(String(l.inventoryItemId), [...(byItem.get(String(l.inventoryItemId)) ?? []), l]);
  shopifyStores.set(domain, { levels: shopifyLevels, byItem });
  return { shopId: shop.id, domain, store };
}

const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const callsOf = (domain: string) => {
  const mine = calls.filter((c) => c.shop === domain);
  return {
    calls: mine.length,
    points: mine.reduce((s, c) => s + c.cost, 0),
    maxCost: Math.max(0, ...mine.map((c) => c.cost)),
    operations: [...new Set(mine.map((c) => c.operation))],
  };
};

const perItemCost = requestedCost(ON_HAND_QUERY, { ids: ["gid://shopify/InventoryItem/1"] });
let fittedBatch = ON_HAND_BATCH;
while (fittedBatch > 1 && requestedCost(ON_HAND_QUERY, { ids: Array.from({ length: fittedBatch }, (_, k) => `gid://shopify/InventoryItem/${k}`) }) > 1000)
  fittedBatch -= 1;

const results = [];
for (const levels of SIZES) {
  const paging = await shopWith(levels, "paging");
  let t0 = process.hrtime.bigint();
  const paged = await reconcileShop(paging.shopId);
  const pagingMs = since(t0);

  const bulk = await shopWith(levels, "bulk");
  t0 = process.hrtime.bigint();
  const started = await startBulkReconciliation(bulk.shopId);
  const startMs = since(t0);
  // Parsing alone (the download and JSONL lines, nothing applied), then the real finish.
  t0 = process.hrtime.bigint();
  let parsed = 0;
  for await (const level of bulkOnHandLevels(`https://storage.bench.invalid/${started.bulk.operationId!.split("/").pop()}.jsonl`)) if (level) parsed += 1;
  const parseMs = since(t0);
  t0 = process.hrtime.bigint();
  const finished = await finishBulkReconciliation(bulk.shopId, started.bulk.id);
  const finishMs = since(t0);
  if (!finished.applied) throw new Error(`bulk reconciliation not applied: ${finished.reason}`);
  results.push({
    levels,
    items: levels / LOCATIONS,
    paging: { ...callsOf(paging.domain), wallMs: pagingMs, acted: paged.filter((r) => r.decision.action !== "wait").length },
    bulk: { ...callsOf(bulk.domain), startMs, parseMs, parsed, finishMs, acted: finished.bulk.acted, waiting: finished.bulk.waiting },
  });
}
await closeDb();
server.close();
process.stdout.write(JSON.stringify({ perItemCost, batch: ON_HAND_BATCH, fittedBatch, results }) + "\n");
process.exit(0);
