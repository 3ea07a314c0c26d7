// The daily expiry job (app/domain/expiry/daily-run.server.ts, decision 112): each shop's own day,
// once per day, missed days caught up, dry runs that write nothing, one shop never another's.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { EXPIRY_RUN_JOB, queueDueExpiryRuns, runDueExpiryDays, runExpiryDay } from "../../app/domain/expiry/daily-run.server";
import { gs1Summary, parseGs1 } from "../../app/domain/gs1/gs1";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { cliJson, runCli } from "../helpers/cli";
import { adminGet } from "../helpers/admin-requests";
import { loader as homeLoader } from "../../app/routes/app._index";

useOwnQueuePrefix();
afterAll(async () => {
  for (const name of [QUEUE_NAMES.maintenance, QUEUE_NAMES.shopifySync]) await getQueue(name).obliterate({ force: true });
});

// 2026-12-04 12:00 UTC: already 2026-12-05 (01:00) in Auckland, still 2026-12-04 (04:00) in Los Angeles.
const NOW = new Date("2026-12-04T12:00:00Z");

async function shopWithLots(zone: string, lots: { lotNumber: string; expiresOn: string | null; quantity: number; alertDays?: number }[]) {
  const shop = await createTestShop("expiry", { ianaTimezone: zone });
  const locationId = await createLocation(shop.id, { name: "Main" });
  const ids: Record<string, bigint> = {};
  for (const lot of lots) {
    const variantId = await createVariant(shop.id, { productTitle: `Product ${lot.lotNumber}` });
    if (lot.alertDays !== undefined)
      await pool().query("update variants set expiry_alert_days = $3 where shop_id = $1 and id = $2", [shop.id, variantId, lot.alertDays]);
    ids[lot.lotNumber] = await createLot(shop.id, { variantId, lotNumber: lot.lotNumber, expiresOn: lot.expiresOn, quantity: lot.quantity, locationId });
  }
  return { shop, ids, locationId };
}

const CATALOG = [
  { lotNumber: "GONE", expiresOn: "2026-12-04", quantity: 3 },
  { lotNumber: "TODAY", expiresOn: "2026-12-05", quantity: 4 },
  { lotNumber: "SOON", expiresOn: "2027-01-01", quantity: 5 },
  { lotNumber: "LATER", expiresOn: "2027-03-01", quantity: 6 },
  { lotNumber: "EMPTY", expiresOn: "2026-11-01", quantity: 0 },
  { lotNumber: "UNDATED", expiresOn: null, quantity: 7 },
];

const numbers = (step: Record<string, unknown> | undefined) => ((step?.lots ?? []) as { lotNumber: string }[]).map((l) => l.lotNumber);

async function counts(shopId: number) {
  const r = await pool().query<{ events: number; runs: number; tasks: number }>(
    `select (select count(*)::int from expiry_events where shop_id = $1) as events, (select count(*)::int from expiry_runs where shop_id = $1) as runs,
            (select count(*)::int from tasks where shop_id = $1 and kind = 'expiry.daily') as tasks`,
    [shopId],
  );
  return r.rows[0]!;
}

describe("the daily expiry job", () => {
  it("counts in the shop's day: Auckland's 5 December expires what Los Angeles' 4 December only alerts", async () => {
    const auckland = await shopWithLots("Pacific/Auckland", CATALOG);
    const run = await runExpiryDay(auckland.shop.id, { now: NOW });
    expect(run).toMatchObject({ day: "2026-12-05", alreadyRan: false, dryRun: false });
    expect(numbers(run.steps.expire)).toEqual(["GONE"]);
    expect(run.steps.expire).toMatchObject({ count: 1, units: 3 });
    expect(numbers(run.steps.alerts)).toEqual(["TODAY", "SOON"]);
    const soon = (run.steps.alerts!.lots as { lotNumber: string; daysLeft: number; locations: unknown[] }[]).find((l) => l.lotNumber === "SOON");
    expect(soon).toMatchObject({ daysLeft: 27, locations: [{ name: "Main", units: 5 }] });

    const la = await shopWithLots("America/Los_Angeles", CATALOG);
    const laRun = await runExpiryDay(la.shop.id, { now: NOW });
    expect(laRun.day).toBe("2026-12-04");
    expect(numbers(laRun.steps.expire)).toEqual([]);
    expect(numbers(laRun.steps.alerts)).toEqual(["GONE", "TODAY", "SOON"]);
  });

  it("runs a day once: the second run returns the first run's task and records nothing more", async () => {
    const { shop } = await shopWithLots("Pacific/Auckland", CATALOG);
    const [first, second] = [await runExpiryDay(shop.id, { now: NOW }), await runExpiryDay(shop.id, { now: NOW })];
    expect(second).toMatchObject({ alreadyRan: true, taskId: first.taskId, day: first.day });
    expect(numbers(second.steps.alerts)).toEqual(numbers(first.steps.alerts));
    expect(await counts(shop.id)).toEqual({ events: 3, runs: 1, tasks: 1 });
    const task = await pool().query("select status::text, result from tasks where id = $1 and shop_id = $2", [first.taskId, shop.id]);
    expect(task.rows[0]).toMatchObject({ status: "DONE", result: { day: "2026-12-05", expire: { count: 1 }, alerts: { count: 2 } } });

    // Concurrent runs of the same day (two workers): one runs, the other finds it done.
    const other = await shopWithLots("Pacific/Auckland", CATALOG);
    const racing = await Promise.all(Array.from({ length: 4 }, () => runExpiryDay(other.shop.id, { now: NOW })));
    expect(racing.filter((r) => !r.alreadyRan)).toHaveLength(1);
    expect(await counts(other.shop.id)).toEqual({ events: 3, runs: 1, tasks: 1 });
  });

  it("alerts each lot once, from its product's own window when it has one", async () => {
    const { shop } = await shopWithLots("UTC", [
      { lotNumber: "LONG", expiresOn: "2027-02-01", quantity: 2, alertDays: 90 },
      { lotNumber: "SHORT", expiresOn: "2026-12-20", quantity: 2, alertDays: 7 },
    ]);
    const day1 = await runExpiryDay(shop.id, { now: NOW });
    expect(numbers(day1.steps.alerts)).toEqual(["LONG"]);
    const day2 = await runExpiryDay(shop.id, { now: new Date("2026-12-13T12:00:00Z") });
    expect(numbers(day2.steps.alerts)).toEqual(["SHORT"]);
    // Each alert is one "Lot expiring soon" Flow trigger, queued through the outbox.
    const triggers = await pool().query<{ payload: { handle: string; payload: Record<string, unknown> } }>(
      "select payload from outbox_entries where shop_id = $1 and kind = 'flow.trigger' order by id",
      [shop.id],
    );
    expect(triggers.rows.map((r) => [r.payload.handle, r.payload.payload["Lot number"], r.payload.payload["Days left"]])).toEqual([
      ["lot-expiring-soon", "LONG", 59],
      ["lot-expiring-soon", "SHORT", 7],
    ]);
    expect(triggers.rows[1]!.payload.payload).toMatchObject({ "Units on hand": 2, "Units per location": "Main: 2", "Expires on": "2026-12-20" });
  });

  it("a dry run says what the run would do and writes nothing, not even a task", async () => {
    const { shop } = await shopWithLots("Pacific/Auckland", CATALOG);
    const preview = await runExpiryDay(shop.id, { now: NOW, dryRun: true });
    expect(await counts(shop.id)).toEqual({ events: 0, runs: 0, tasks: 0 });
    expect(preview).toMatchObject({ dryRun: true, taskId: null });
    const real = await runExpiryDay(shop.id, { now: NOW });
    expect(numbers(real.steps.expire)).toEqual(numbers(preview.steps.expire));
    expect(numbers(real.steps.alerts)).toEqual(numbers(preview.steps.alerts));
    // A day to come can be previewed, not run.
    const ahead = await runExpiryDay(shop.id, { now: NOW, day: "2027-01-02", dryRun: true });
    expect(numbers(ahead.steps.expire)).toEqual(["TODAY", "SOON"]);
    await expect(runExpiryDay(shop.id, { now: NOW, day: "2027-01-02" })).rejects.toThrow(/has not come yet in the shop's time zone \(today is 2026-12-05\)/);
    await expect(runExpiryDay(shop.id, { now: NOW, day: "2026-02-30" })).rejects.toThrow(/YYYY-MM-DD/);
  });

  it("catches up the days it missed, each as it would have run, over a month end", async () => {
    const { shop } = await shopWithLots("UTC", [
      { lotNumber: "NYE", expiresOn: "2026-12-31", quantity: 1 },
      { lotNumber: "JAN2", expiresOn: "2027-01-02", quantity: 1 },
    ]);
    await runExpiryDay(shop.id, { now: new Date("2026-12-30T08:00:00Z") });
    const caughtUp = await runDueExpiryDays(shop.id, new Date("2027-01-03T08:00:00Z"));
    expect(caughtUp.map((r) => r.day)).toEqual(["2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]);
    expect(caughtUp.map((r) => numbers(r.steps.expire))).toEqual([[], ["NYE"], [], ["JAN2"]]);
    expect(await runDueExpiryDays(shop.id, new Date("2027-01-03T20:00:00Z"))).toEqual([]);
  });

  it("a GS1 expiry with day 00 is the month's last day: it expires after 31 December", async () => {
    const { expiry } = gs1Summary(parseGs1("(01)09506000134352(17)261200(10)ABC", { today: NOW }));
    expect(expiry).toBe("2026-12-31");
    const { shop } = await shopWithLots("UTC", [{ lotNumber: "ABC", expiresOn: expiry, quantity: 2 }]);
    expect(numbers((await runExpiryDay(shop.id, { now: new Date("2026-12-31T23:00:00Z") })).steps.expire)).toEqual([]);
    expect(numbers((await runExpiryDay(shop.id, { now: new Date("2027-01-01T01:00:00Z") })).steps.expire)).toEqual(["ABC"]);
  });

  it("one shop's run reads and records nothing of another's", async () => {
    const a = await shopWithLots("UTC", CATALOG);
    const b = await shopWithLots("UTC", CATALOG);
    const run = await runExpiryDay(a.shop.id, { now: NOW });
    const lotIds = [...((run.steps.expire!.lots as { lotId: string }[]) ?? []), ...(run.steps.alerts!.lots as { lotId: string }[])].map((l) => BigInt(l.lotId));
    expect(lotIds.every((id) => Object.values(a.ids).includes(id))).toBe(true);
    expect(await counts(b.shop.id)).toEqual({ events: 0, runs: 0, tasks: 0 });
  });

  it("the hourly tick queues a shop once its local run hour has come, across a daylight-saving change", async () => {
    // 2026-03-08: Los Angeles moves to PDT (UTC-7); 06:00 local is 13:00 UTC that day.
    const { shop } = await shopWithLots("America/Los_Angeles", []);
    const queued = async () =>
      (await getQueue(QUEUE_NAMES.maintenance).getJobs(["waiting", "delayed", "prioritized"])).filter(
        (j) => j.name === EXPIRY_RUN_JOB && j.data.shopId === shop.id,
      );
    await queueDueExpiryRuns(new Date("2026-03-08T12:59:00Z"));
    expect(await queued()).toHaveLength(0);
    await queueDueExpiryRuns(new Date("2026-03-08T13:00:00Z"));
    await queueDueExpiryRuns(new Date("2026-03-08T14:00:00Z"));
    expect((await queued()).map((j) => j.id)).toEqual([`${EXPIRY_RUN_JOB}-${shop.id}-2026-03-08`]);
    // Once the day ran, the tick leaves the shop alone.
    await runExpiryDay(shop.id, { now: new Date("2026-03-08T13:30:00Z") });
    await getQueue(QUEUE_NAMES.maintenance).drain();
    await queueDueExpiryRuns(new Date("2026-03-08T15:00:00Z"));
    expect(await queued()).toHaveLength(0);
  });

  it("with quarantine on, expired units move to quality_control in Shopify once, and the lot stops being sold", async () => {
    const { shop, ids } = await shopWithLots("UTC", [
      { lotNumber: "OLD", expiresOn: "2026-12-01", quantity: 4 },
      { lotNumber: "FRESH", expiresOn: "2027-06-01", quantity: 2 },
    ]);
    await pool().query("update variants set inventory_item_id = id + 1000 where shop_id = $1", [shop.id]);
    const preview = await runExpiryDay(shop.id, { now: NOW, dryRun: true });
    expect(preview.steps.quarantine).toMatchObject({ enabled: false, count: 0 });
    await pool().query("update shops set expiry_quarantine = true where id = $1", [shop.id]);
    const run = await runExpiryDay(shop.id, { now: NOW });
    expect(run.steps.quarantine).toMatchObject({ enabled: true, count: 1, units: 4, lots: [{ lotNumber: "OLD", expiresOn: "2026-12-01" }] });
    const lot = await pool().query("select status::text from lots where id = $1", [ids.OLD]);
    expect(lot.rows[0]).toEqual({ status: "QUARANTINED" });
    const moves = await pool().query<{ payload: { changes?: unknown[] } & Record<string, unknown> }>(
      "select payload from outbox_entries where shop_id = $1 and kind = 'inventory.move'",
      [shop.id],
    );
    expect(moves.rows).toHaveLength(1);
    expect(JSON.stringify(moves.rows[0]!.payload)).toContain("quality_control");
    // The next day finds nothing left to move.
    const next = await runExpiryDay(shop.id, { now: new Date("2026-12-05T12:00:00Z") });
    expect(next.steps.quarantine).toMatchObject({ count: 0 });
    expect((await pool().query("select 1 from outbox_entries where shop_id = $1 and kind = 'inventory.move'", [shop.id])).rowCount).toBe(1);
  });

  it("Home shows the last check and counts expiring lots within the shop's own window", async () => {
    const { shop } = await shopWithLots("UTC", [{ lotNumber: "IN-40", expiresOn: "2099-01-01", quantity: 1 }]);
    await pool().query("update shops set expiry_alert_days = 45 where id = $1", [shop.id]);
    const before = await homeLoader({ request: adminGet(shop.domain, "/app"), params: {}, context: {} });
    expect(before.windowDays).toBe(45);
    expect(before.attention.lastExpiryCheck).toBeNull();
    const run = await runExpiryDay(shop.id, { now: NOW });
    const after = await homeLoader({ request: adminGet(shop.domain, "/app"), params: {}, context: {} });
    expect(after.attention.lastExpiryCheck).toEqual({ taskId: run.taskId, day: "2026-12-04", expired: 0, alerted: 0, digest: null });
  });

  it("lotkeeper expiry run prints the run; a bad day is a clear error", async () => {
    const { shop } = await shopWithLots("UTC", CATALOG);
    const [run] = await cliJson<{ day: string; dryRun: boolean; steps: { alerts: { count: number } } }[]>([
      "expiry",
      "run",
      "--shop",
      shop.domain,
      "--dry-run",
    ]);
    expect(run).toMatchObject({ dryRun: true, steps: { alerts: { count: expect.any(Number) } } });
    const bad = await runCli(["expiry", "run", "--shop", shop.domain, "--date", "2026-13-01"]);
    expect(String((bad.error as Error).message)).toMatch(/YYYY-MM-DD/);
    expect(await counts(shop.id)).toEqual({ events: 0, runs: 0, tasks: 0 });
  });
});
