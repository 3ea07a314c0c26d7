// The "Quarantine lot" Flow action (extensions/flow-quarantine-lot, decision 109). Flow POSTs
// { shop_id, shopify_domain, action_run_id, handle, properties } signed with X-Shopify-Hmac-SHA256
// (base64 HMAC-SHA256 of the raw body, keyed by the app's client secret: the webhook scheme, so
// the webhook check is reused). The shop is the one the signed body names; the lot is looked up in
// that shop only, so a request for shop A can never touch shop B's lot.
//
// Answers (Flow's rules): 200 done; 4xx other than 429 is final (Flow shows the run failed with our
// message and does not retry): 401 bad signature, 400 bad input, 404 unknown shop or lot.
// Flow may send the same action_run_id again: quarantine is idempotent, so a repeat changes nothing.
import { pool } from "../../db.server";
import { withTransaction } from "../../lib/sql.server";
import { queueOutboxEntries } from "../sync/outbox.server";
import { hmacMatches } from "../webhooks/verify";
import { quarantineLot } from "../lots/quarantine.server";
import { findLotsByNumber } from "../recall/recall-lookup.server";
import { LotNotFoundError } from "../recall/errors";
import { findShopId } from "../shops/shops.server";
import { FlowActionInputError, parseQuarantineLotRequest } from "./flow-rules";

export interface FlowActionInput {
  header(name: string): string | null | undefined;
  body: Buffer;
  secret: string;
}

export interface FlowActionAnswer {
  status: 200 | 400 | 401 | 404;
  body: { ok: boolean; message: string; lots?: { lotNumber: string; status: string; unitsQuarantined: number }[] };
}

const refuse = (status: 400 | 401 | 404, message: string): FlowActionAnswer => ({ status, body: { ok: false, message } });

export async function runQuarantineLotAction(input: FlowActionInput): Promise<FlowActionAnswer> {
  const hmac = input.header("x-shopify-hmac-sha256");
  if (!hmac || !hmacMatches(input.body, hmac, input.secret)) return refuse(401, "the request is not signed by Shopify (X-Shopify-Hmac-SHA256)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.body.toString("utf8"));
  } catch {
    return refuse(400, "the body is not JSON");
  }
  let request;
  try {
    request = parseQuarantineLotRequest(parsed);
  } catch (error) {
    if (error instanceof FlowActionInputError) return refuse(400, error.message);
    throw error;
  }
  const shopId = await findShopId(pool(), request.shopDomain);
  if (shopId === undefined) return refuse(404, `the shop ${request.shopDomain} has not installed Lotkeeper`);
  try {
    const results = await withTransaction(async (sql) => {
      const lots = await findLotsByNumber(sql, shopId, request.lotNumber);
      const out = [];
      // Lots in id order: the lock order everywhere.
      for (const lot of [...lots].sort((a, b) => (a.lotId < b.lotId ? -1 : 1))) {
        out.push(
          await quarantineLot(sql, {
            shopId,
            lotId: lot.lotId,
            locationId: request.locationId,
            reason: request.reason,
            cause: "WEBHOOK",
            causeRef: request.actionRunId ? `flow:${request.actionRunId}` : "flow",
          }),
        );
      }
      return out;
    });
    await queueOutboxEntries(results.flatMap((r) => r.outboxIds));
    const units = results.reduce((n, r) => n + r.locations.reduce((m, l) => m + l.quantity, 0), 0);
    return {
      status: 200,
      body: {
        ok: true,
        message: `lot ${request.lotNumber}: ${units} units quarantined`,
        lots: results.map((r) => ({ lotNumber: r.lotNumber, status: r.status, unitsQuarantined: r.locations.reduce((m, l) => m + l.quantity, 0) })),
      },
    };
  } catch (error) {
    if (error instanceof LotNotFoundError) return refuse(404, error.message);
    throw error;
  }
}
