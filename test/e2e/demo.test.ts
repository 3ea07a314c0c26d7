// The main job: `npm run demo -- --no-wait` on a database of its own (created by the demo's setup)
// proves the whole path works (setup, the real web and worker processes, signed webhooks over
// HTTP, allocation, returns, reconciliation, the recall) and that the summary names exactly the
// customers of the recalled lot.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { uniqueQueuePrefix } from "../helpers/shops";
import { EXPECTED_RECALL_CUSTOMERS, RECALLED_LOT } from "../../app/demo/day";
import { ROOT } from "./helpers/preview";
import { previewDatabaseUrl } from "../../app/preview/isolation";
import { conformingEvents, type ExportedEvent } from "../helpers/epcis-schema";

interface Summary {
  shop: string;
  deliveries: number;
  figures: {
    webhooks: { recorded: number; processed: number; failed: number; pending: number };
    fulfilments: { success: number; cancelled: number };
    allocations: { splitLines: number; reversed: number; unknownLotUnits: number; returnedUnits: number };
    lots: { incomplete: number; recalled: number };
    outbox: { pending: number; failed: number };
  };
  recall: { reference: string; lots: string[]; totals: { customers: number; shippedUnits: number; returnedUnits: number } };
  customers: { name: string; email: string; units: number; returnedUnits: number; orders: { orderName: string; lot: string }[] }[];
  orderLots: { order: string; attribute: string | null } | null;
}

/**
 * The demo's worker sweeps and reconciles every shop of its database (inbox, outbox, import
 * tasks): on the run's database it took up the other test files' stale webhook events and outbox
 * rows while they ran. A DATABASE_URL of its own keeps both sides apart; the demo itself works in
 * the preview database derived from it (<name>_preview, app/preview/isolation.ts) and never
 * creates or touches DATABASE_URL's own database.
 */
function demoDatabase(): { url: string; name: string; previewName: string; exists: (name: string) => Promise<boolean>; drop: () => Promise<void> } {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `${url.pathname.slice(1)}_demo`;
  url.pathname = `/${name}`;
  const previewName = new URL(previewDatabaseUrl(url.toString())).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const withAdmin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    url: url.toString(),
    name,
    previewName,
    exists: (db) => withAdmin(async (c) => (await c.query("select 1 from pg_database where datname = $1", [db])).rowCount === 1),
    drop: async () => {
      if (process.env.KEEP_TEST_DATABASE) return;
      await withAdmin(async (c) => {
        for (const db of [name, previewName]) await c.query(`drop database if exists "${db}" with (force)`);
      });
    },
  };
}

/** `lotkeeper recall export --format epcis` of the demo's recall, on the demo's database. */
function exportRecallEpcis(databaseUrl: string, summary: Summary): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin", "lotkeeper.mjs"), "recall", "export", "--shop", summary.shop, "--recall", summary.recall.reference, "--format", "epcis"],
      { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`recall export failed: ${stderr}`)) : resolve(stdout)),
    );
  });
}

describe("npm run demo -- --no-wait", () => {
  it("replays the day and ends with the recall of the granola lot and exactly its customers", async () => {
    const summaryFile = path.join(mkdtempSync(path.join(tmpdir(), "lotkeeper-demo-")), "summary.json");
    const database = demoDatabase();
    let output = "";
    let code: number | null;
    let created: { own: boolean; preview: boolean };
    let epcis = "";
    try {
      const child = spawn(
        path.join(ROOT, "node_modules", ".bin", "tsx"),
        [path.join(ROOT, "app", "demo", "main.ts"), "--no-wait", "--no-build", "--port", "0", "--summary-json", summaryFile],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: "development", QUEUE_PREFIX: uniqueQueuePrefix(), LOG_LEVEL: "warn" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      created = { own: await database.exists(database.name), preview: await database.exists(database.previewName) };
      if (code === 0) epcis = await exportRecallEpcis(previewDatabaseUrl(database.url), JSON.parse(readFileSync(summaryFile, "utf8")) as Summary);
    } finally {
      await database.drop();
    }
    expect(code, output).toBe(0);
    expect(created).toEqual({ own: false, preview: true });
    expect(output).toContain(`database ${database.previewName} ready (created)`);

    // What a person running the demo reads.
    expect(output).toMatch(/Summary/);
    expect(output).toMatch(new RegExp(`Recall R-\\S+ \\(class I\\)`));
    const contactList = output.slice(output.indexOf("Customers to contact:"));
    for (const name of EXPECTED_RECALL_CUSTOMERS) expect(contactList).toContain(name);
    expect(contactList).not.toContain("Felix Becker"); // bought oat milk only
    expect(contactList).not.toContain("Clara Weber");

    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Summary;
    expect(summary.customers.map((c) => c.name).sort()).toEqual([...EXPECTED_RECALL_CUSTOMERS].sort());
    expect(summary.recall.lots.sort()).toEqual(["BOX-2611", RECALLED_LOT]);
    const byName = Object.fromEntries(summary.customers.map((c) => [c.name, c]));
    expect(byName["Greta Hoffmann"]).toMatchObject({ units: 2, returnedUnits: 1 });
    expect(byName["David Fischer"]).toMatchObject({ units: 2, returnedUnits: 0 }); // the cancelled parcel does not count twice
    expect(byName["Ben Müller"]!.orders.map((o) => o.lot)).toEqual(["BOX-2611"]);
    expect(summary.recall.totals).toMatchObject({ customers: 5, shippedUnits: 7, returnedUnits: 1 });

    // Nothing lost, nothing doubled: the duplicate delivery is recorded once, everything processed.
    expect(summary.figures.webhooks.recorded).toBe(summary.deliveries - 1);
    expect(summary.figures.webhooks).toMatchObject({ failed: 0, pending: 0 });
    expect(summary.figures.fulfilments).toMatchObject({ cancelled: 1 });
    expect(summary.figures.allocations).toMatchObject({ reversed: 1, unknownLotUnits: 1, returnedUnits: 1 });
    expect(summary.figures.allocations.splitLines).toBeGreaterThanOrEqual(1);
    expect(summary.figures.lots).toMatchObject({ incomplete: 1, recalled: 2 });
    expect(summary.figures.outbox).toMatchObject({ pending: 0, failed: 0 });
    // The lots are written back on the (simulated) Shopify order: "SKU: LOT xN; ..." (decision 102).
    expect(summary.orderLots?.attribute).toMatch(/^[A-Z0-9-]+: [A-Z0-9-]+ x\d+/);

    // The recall's EPCIS export, as an operator takes it from the demo's database: valid against
    // the EPCIS 2.0 JSON Schema and in causal order (no parcel leaves before its lot arrived).
    const events = conformingEvents(epcis);
    const kind = (e: ExportedEvent) => e.eventID.split("/").at(-2);
    const first = (k: string) => events.findIndex((e) => kind(e) === k);
    expect(first("receipt")).toBe(0);
    expect(first("run")).toBeLessThan(first("shipment"));
    // Not merely ordered by the export's clamp (decision 085): the morning's receipts really are
    // dated before the first parcel (at 75 minutes into the day), as the day's data says.
    const times = (k: string) => events.filter((e) => kind(e) === k).map((e) => Date.parse(e.eventTime));
    expect(Math.min(...times("shipment")) - Math.max(...times("receipt"))).toBeGreaterThanOrEqual(60 * 60_000);
    expect(events.filter((e) => kind(e) === "shipment").length).toBeGreaterThanOrEqual(summary.customers.length);
    expect(events.filter((e) => kind(e) === "return")).toHaveLength(1);
    expect(events.filter((e) => e.disposition === "recalled").length).toBeGreaterThanOrEqual(1);
  });
});
