// The preview's database: created by the preview (or the demo) itself and marked so with a
// database comment; a database of that name it did not create is refused, as is a shop whose
// stored session is not a preview session (a real offline token is never replaced). Plain pg
// clients: this runs before the app's configuration is parsed (docs/decisions/090).
import pg from "pg";
import { applyMigrations, migrationsApplied } from "../lib/migrations.server";
import { checkPostgres } from "../lib/services.server";
import { PreviewRefusedError } from "./guard";
import { isPreviewDatabaseName } from "./isolation";
import { DEMO_SHOP, PREVIEW_ACCESS_TOKEN, PREVIEW_SHOP } from "./preview-constants";

/** The comment the preview puts on the databases it creates; nothing else carries it. */
export const PREVIEW_DATABASE_MARK = "lotkeeper preview: simulated data only, created by npm run preview / npm run demo";

function nameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function markOf(admin: pg.Client, name: string): Promise<{ exists: boolean; marked: boolean }> {
  const r = await admin.query<{ mark: string | null }>("select shobj_description(oid, 'pg_database') as mark from pg_database where datname = $1", [name]);
  return { exists: r.rowCount === 1, marked: r.rows[0]?.mark === PREVIEW_DATABASE_MARK };
}

/**
 * Creates the preview database (marked) when missing, refuses one of that name the preview did not
 * create, and applies the migrations. Returns whether it was created and the migrations applied.
 */
export async function preparePreviewDatabase(databaseUrl: string): Promise<{ created: boolean; migrations: string[] }> {
  const name = nameOf(databaseUrl);
  if (!isPreviewDatabaseName(name))
    throw new PreviewRefusedError(`Refusing to start the preview: database "${name}" is not a preview database (its name must end in _preview).`);
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = "/postgres";
  await checkPostgres(adminUrl.toString());
  const created = await withClient(adminUrl.toString(), async (admin) => {
    let state = await markOf(admin, name);
    let created = false;
    if (!state.exists) {
      try {
        await admin.query(`create database "${name}"`);
        await admin.query(`comment on database "${name}" is '${PREVIEW_DATABASE_MARK}'`);
        created = true;
      } catch (error) {
        if ((error as { code?: string }).code !== "42P04") throw error; // another preview created it meanwhile
      }
      // That other preview marks it right after creating it.
      for (let i = 0; i < 10 && !(state = await markOf(admin, name)).marked; i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (!state.marked) {
      throw new PreviewRefusedError(
        `Refusing to start the preview: database "${name}" exists but was not created by the preview (it may hold real data). Point DATABASE_URL elsewhere or drop it.`,
      );
    }
    return created;
  });
  await applyMigrations(databaseUrl);
  return { created, migrations: await migrationsApplied(databaseUrl) };
}

/** The demo's store when `npm run demo` has built one in this database (so the preview shows its data), else the preview shop. */
export async function defaultPreviewShop(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const demo = await client.query("select 1 from shops where domain = $1", [DEMO_SHOP]);
    return demo.rowCount ? DEMO_SHOP : PREVIEW_SHOP;
  });
}

/** Refuses when the shop has a stored session that is not the preview's (a real access token). */
export async function assertNoRealSession(databaseUrl: string, shop: string): Promise<void> {
  const real = await withClient(databaseUrl, (client) =>
    client.query<{ id: string }>(`select id from "Session" where shop = $1 and "accessToken" <> $2 order by id limit 1`, [shop, PREVIEW_ACCESS_TOKEN]),
  );
  if (real.rows[0]) {
    throw new PreviewRefusedError(
      `Refusing to start the preview for ${shop}: its stored session ${real.rows[0].id} holds a real access token, and the preview would replace it with its placeholder. Use another --shop.`,
    );
  }
}
