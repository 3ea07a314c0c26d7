// The recalls list is keyset-paged by opened date: every case exactly once across pages, newest or
// oldest first, with the status filter; the same through the CLI and the admin page's loader; a
// cursor the list did not give out is a clear error; another shop's cases never appear.
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { listRecalls } from "../../app/domain/recall/recall-case.server";
import { InvalidCursorError } from "../../app/domain/recall/errors";
import { loader as recallsLoader } from "../../app/routes/app.recalls._index";
import { adminHeaders } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { cliJson, runCli } from "../helpers/cli";

/** 7 cases: R1 oldest .. R7 newest; R4 and R5 opened at the same instant (the id breaks the tie). R2 and R6 closed. */
async function shopWithRecalls(label: string) {
  const shop = await createTestShop(label);
  const opened = [
    "2026-01-01T10:00:00.001",
    "2026-02-01T10:00:00",
    "2026-03-01T10:00:00",
    "2026-04-01T10:00:00.5",
    "2026-04-01T10:00:00.5",
    "2026-05-01T10:00:00",
    "2026-06-01T10:00:00",
  ];
  for (const [i, at] of opened.entries()) {
    const closed = i === 1 || i === 5;
    await pool().query(
      `insert into recalls (shop_id, reference, reason, severity, status, opened_at, closed_at) values ($1, $2, 'test', 'CLASS_II', $3::"RecallStatus", $4::timestamp, $5::timestamp)`,
      [shop.id, `R${i + 1}`, closed ? "CLOSED" : "OPEN", at, closed ? "2026-07-01T00:00:00" : null],
    );
  }
  return shop;
}

async function allPages(fetch: (cursor: string | null) => Promise<{ recalls: { reference: string }[]; nextCursor: string | null }>) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await fetch(cursor);
    pages.push(page.recalls.map((r) => r.reference));
    cursor = page.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

describe("recalls list paging", () => {
  it("pages by opened date, newest or oldest first, each case once, with the status filter", async () => {
    const shop = await shopWithRecalls("recall-pages");
    const other = await shopWithRecalls("recall-pages-other");
    expect(await allPages((cursor) => listRecalls(shop.id, { limit: 3, cursor }))).toEqual([["R7", "R6", "R5"], ["R4", "R3", "R2"], ["R1"]]);
    expect(await allPages((cursor) => listRecalls(shop.id, { limit: 3, cursor, sort: "oldest" }))).toEqual([["R1", "R2", "R3"], ["R4", "R5", "R6"], ["R7"]]);
    expect(await allPages((cursor) => listRecalls(shop.id, { limit: 2, cursor, status: "OPEN" }))).toEqual([["R7", "R5"], ["R4", "R3"], ["R1"]]);
    // A page that ends exactly at the last case says so (no empty extra page).
    expect(await allPages((cursor) => listRecalls(shop.id, { limit: 7, cursor }))).toEqual([["R7", "R6", "R5", "R4", "R3", "R2", "R1"]]);
    // The other shop's cases (same references) are its own: the ids never overlap.
    const mine = (await listRecalls(shop.id, { limit: 500 })).recalls.map((r) => r.id);
    const theirs = (await listRecalls(other.id, { limit: 500 })).recalls.map((r) => r.id);
    expect(mine).toHaveLength(7);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
    await expect(listRecalls(shop.id, { cursor: "not-a-cursor" })).rejects.toThrow(InvalidCursorError);
  });

  it("CLI recall list: --limit, --cursor, --sort and nextCursor", async () => {
    const shop = await shopWithRecalls("recall-pages-cli");
    const pages = await allPages((cursor) =>
      cliJson<{ recalls: { reference: string }[]; nextCursor: string | null }>([
        "recall",
        "list",
        "--shop",
        shop.domain,
        "--limit",
        "4",
        ...(cursor ? ["--cursor", cursor] : []),
      ]),
    );
    expect(pages).toEqual([
      ["R7", "R6", "R5", "R4"],
      ["R3", "R2", "R1"],
    ]);
    const oldest = await cliJson<{ recalls: { reference: string }[]; nextCursor: string | null }>([
      "recall",
      "list",
      "--shop",
      shop.domain,
      "--sort",
      "oldest",
      "--status",
      "closed",
    ]);
    expect(oldest).toMatchObject({ recalls: [{ reference: "R2" }, { reference: "R6" }], nextCursor: null });
    expect(String((await runCli(["recall", "list", "--shop", shop.domain, "--sort", "sideways"])).error)).toContain("--sort must be newest or oldest");
    expect(String((await runCli(["recall", "list", "--shop", shop.domain, "--cursor", "abc"])).error)).toContain("invalid page cursor");
  });

  it("the admin Recalls page pages with ?after= and sorts with ?sort=oldest; a bad cursor answers 400", async () => {
    const shop = await shopWithRecalls("recall-pages-admin");
    const load = (query: string) =>
      recallsLoader({ request: new Request(`https://lotkeeper.test/app/recalls${query}`, { headers: adminHeaders(shop.domain) }), params: {}, context: {} });
    const first = await load("");
    expect(first.recalls.map((r) => r.reference)).toEqual(["R7", "R6", "R5", "R4", "R3", "R2", "R1"]);
    expect(first.nextCursor).toBeNull();
    const oldest = await load("?sort=oldest&status=OPEN");
    expect(oldest.recalls.map((r) => r.reference)).toEqual(["R1", "R3", "R4", "R5", "R7"]);
    expect(oldest.sort).toBe("oldest");
    // 60 more cases: the page holds 50, and the next one continues where it stopped.
    await pool().query(
      `insert into recalls (shop_id, reference, reason, severity, opened_at) select $1, 'X' || g, 'bulk', 'CLASS_III', timestamp '2025-01-01' + g * interval '1 hour' from generate_series(1, 60) g`,
      [shop.id],
    );
    const page1 = await load("");
    expect(page1.recalls).toHaveLength(50);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await load(`?after=${page1.nextCursor}`);
    expect(page2.recalls).toHaveLength(17);
    expect(page2.nextCursor).toBeNull();
    const seen = [...page1.recalls, ...page2.recalls].map((r) => r.reference);
    expect(new Set(seen).size).toBe(67);
    expect(seen.slice(0, 8)).toEqual(["R7", "R6", "R5", "R4", "R3", "R2", "R1", "X60"]);
    expect(seen.at(-1)).toBe("X1");
    let status = 0;
    try {
      await load("?after=garbage");
    } catch (thrown) {
      if (thrown instanceof Response) status = thrown.status;
    }
    expect(status).toBe(400);
  });
});
