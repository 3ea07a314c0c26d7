// app/uninstalled and app/scopes_update. Uninstalling keeps the shop's data (a re-install within
// the 48 hours before shop/redact finds it again) but removes its sessions: the tokens are dead.
// Webhooks can arrive after uninstall; they are still recorded. The shop named by the unsigned
// header is acted on only when the signed body is that shop's Shop resource (delivery-target.ts):
// a captured delivery of another topic or shop, replayed as app/uninstalled, changes nothing.
import { z } from "zod";
import { RefusedDeliveryError, uninstallTargetProblem } from "../privacy/delivery-target";
import { knownShopifyShopId } from "../privacy/privacy.server";
import type { TopicHandler } from "../webhooks/handler";
import { InvalidPayloadError } from "../webhooks/handler";

export const markShopUninstalled: TopicHandler = async (ctx) => {
  const problem = uninstallTargetProblem(ctx.shopDomain, ctx.payload, await knownShopifyShopId(ctx.sql, ctx.shopDomain, ctx.webhookId));
  if (problem) throw new RefusedDeliveryError(`app/uninstalled refused, nothing changed: ${problem}`);
  await ctx.sql.query("update shops set installed = false, uninstalled_at = now(), updated_at = now() where id = $1", [ctx.shopId]);
  await ctx.sql.query(`delete from "Session" where shop = $1`, [ctx.shopDomain]);
};

const scopesPayload = z.object({ current: z.array(z.string()) }).passthrough();

export const recordShopScopes: TopicHandler = async (ctx) => {
  const parsed = scopesPayload.safeParse(ctx.payload);
  if (!parsed.success) throw new InvalidPayloadError("not an app/scopes_update payload: current must be a list of scopes");
  const scopes = parsed.data.current.join(",");
  await ctx.sql.query("update shops set scopes = $2, updated_at = now() where id = $1", [ctx.shopId, scopes]);
  await ctx.sql.query(`update "Session" set scope = $2 where shop = $1`, [ctx.shopDomain, scopes]);
};
