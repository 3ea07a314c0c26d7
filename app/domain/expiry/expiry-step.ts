// The daily expiry job (app/domain/expiry/daily-run.server.ts) runs, for one shop and one shop day,
// a list of steps in order: mark expired lots, find lots entering their alert window, move expired
// units to quality_control, markdowns, the digest. Each step is idempotent for (shop, day): run
// twice, it changes nothing the second time. With dryRun it reads and reports, and writes nothing.
import type { Db } from "../../lib/sql.server";
import type { Day } from "../shops/shop-day";

export interface ExpiryStepContext {
  sql: Db;
  shopId: number;
  /** The shop-local day the run is for (YYYY-MM-DD): today, or a missed day being caught up. */
  day: Day;
  timeZone: string;
  dryRun: boolean;
  /** Outbox rows the step added (Shopify changes, Flow triggers): queued once the run commits. */
  queueAfterCommit(outboxIds: readonly bigint[]): void;
}

export interface ExpiryStep {
  /** Short key, used in the task result and the CLI JSON (e.g. "expire", "alerts", "markdowns"). */
  name: string;
  /** What it did (or would do, with dryRun), as JSON the merchant's task page and the CLI print. */
  run(context: ExpiryStepContext): Promise<Record<string, unknown>>;
}
