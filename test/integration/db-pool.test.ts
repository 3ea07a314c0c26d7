// One Postgres pool per process (app/db.server.ts, docs/decisions/096-one-data-layer.md): the
// Prisma client (Shopify's session storage) runs over the app's own pg pool, and each side keeps
// its own type mapping (BIGINT as bigint for our SQL; Prisma's own parsers for Prisma).
import { describe, expect, it } from "vitest";
import { env } from "../../app/env.server";
import { pool, prisma } from "../../app/db.server";
import { uniqueShopDomain } from "../helpers/shops";

describe("one pool per process", () => {
  it("Prisma's queries run on connections of the app's pool, not on a pool of its own", async () => {
    const max = env().PG_POOL_MAX;
    // Open every connection the pool may hold and note their server process ids.
    const clients = await Promise.all(Array.from({ length: max }, () => pool().connect()));
    const pids = new Set<number>();
    for (const c of clients) pids.add((await c.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid);
    for (const c of clients) c.release();
    expect(pids.size).toBe(max);
    // The pool is full (max open, all idle): a Prisma query can only run on one of them.
    for (let i = 0; i < 3; i++) {
      const [row] = await prisma.$queryRaw<{ pid: number }[]>`select pg_backend_pid() as pid`;
      expect(pids).toContain(row!.pid);
    }
    expect(pool().totalCount).toBe(max);
  });

  it("each side reads with its own types over the shared pool", async () => {
    const domain = uniqueShopDomain("types");
    const session = await prisma.session.create({
      data: {
        id: `offline_${domain}`,
        shop: domain,
        state: "",
        isOnline: false,
        accessToken: "shpat_x",
        userId: 9007199254740993n,
        expires: new Date("2027-01-02T03:04:05Z"),
      },
    });
    expect(session.userId).toBe(9007199254740993n);
    const [viaSql] = (await pool().query<{ user_id: bigint; expires: Date }>(`select "userId" as user_id, expires from "Session" where id = $1`, [session.id]))
      .rows;
    expect(viaSql).toEqual({ user_id: 9007199254740993n, expires: new Date("2027-01-02T03:04:05Z") });
    const viaPrisma = await prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(viaPrisma.expires).toEqual(new Date("2027-01-02T03:04:05Z"));
    await prisma.session.delete({ where: { id: session.id } });
  });
});
