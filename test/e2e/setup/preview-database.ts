// The preview (and the demo) keep their data in a database of their own, <run database>_preview,
// which they create themselves (app/preview/isolation.ts): dropped with the run's database.
import pg from "pg";
import { previewDatabaseUrl } from "../../../app/preview/isolation";

export default function setup(): () => Promise<void> {
  return async () => {
    const runDatabase = process.env.LOTKEEPER_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (!runDatabase || process.env.KEEP_TEST_DATABASE) return;
    const preview = new URL(previewDatabaseUrl(runDatabase));
    const admin = new URL(preview);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`drop database if exists "${decodeURIComponent(preview.pathname.slice(1))}" with (force)`);
    await client.end();
  };
}
