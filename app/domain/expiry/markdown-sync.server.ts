// Shopify follows a variant's markdown (decision 113): the `markdown.sync` outbox row names the
// variant; its sender reads what the markdowns row wants now and makes the variant's automatic
// discount match: created (or found again by its title, when a create's answer was lost),
// updated to the new percentage, or deleted. Reading the wanted state at send time makes a repeat,
// a retry or an out-of-order row harmless, as with the order lots write-back.
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import {
  adminGraphql,
  adminMutation,
  MARKDOWN_CREATE_MUTATION,
  MARKDOWN_DELETE_MUTATION,
  MARKDOWN_FIND_QUERY,
  MARKDOWN_UPDATE_MUTATION,
} from "../../lib/shopify-admin.server";
import type { QueryCost } from "../sync/throttle";
import { addOutboxEntry, registerOutboxSender, type OutboxRow } from "../sync/outbox.server";
import { markdownDiscountInput, markdownTitle } from "./markdown-rules";

export const MARKDOWN_SYNC_KIND = "markdown.sync";

/** The outbox row making Shopify match the variant's markdown, in the caller's transaction. */
export async function addMarkdownSync(sql: Db, shopId: number, variantId: bigint, reason: string): Promise<bigint> {
  return addOutboxEntry(sql, {
    shopId,
    kind: MARKDOWN_SYNC_KIND,
    idempotencyKey: `markdown:${variantId}:${reason}`,
    payload: { variantId: variantId.toString() },
  });
}

async function ourDiscounts(shop: string, variantId: bigint): Promise<{ ids: string[]; cost: QueryCost | undefined }> {
  const title = markdownTitle(variantId);
  const found = await adminGraphql<{ discountNodes: { nodes: { id: string; discount: { title?: string } }[] } }>(shop, MARKDOWN_FIND_QUERY, {
    query: `title:'${title}'`,
  });
  return { ids: found.data.discountNodes.nodes.filter((n) => n.discount.title === title).map((n) => n.id), cost: found.cost };
}

async function sendMarkdown(row: OutboxRow): Promise<QueryCost | undefined> {
  const variantId = BigInt((row.payload as { variantId: string }).variantId);
  const wanted = await pool().query<{ percent: number; discount_id: string | null }>(
    "select percent, discount_id from markdowns where shop_id = $1 and variant_id = $2",
    [row.shopId, variantId],
  );
  const percent = wanted.rows[0]?.percent ?? 0;
  const known = wanted.rows[0]?.discount_id ?? null;
  const store = (id: string | null) =>
    pool().query("update markdowns set discount_id = $3, updated_at = now() where shop_id = $1 and variant_id = $2", [row.shopId, variantId, id]);

  const { ids, cost } = known ? { ids: [known], cost: undefined } : await ourDiscounts(row.shopDomain, variantId);
  if (percent === 0) {
    let last = cost;
    for (const id of ids) last = (await adminMutation(row.shopDomain, MARKDOWN_DELETE_MUTATION, "discountAutomaticDelete", { id })).cost;
    await store(null);
    return last;
  }
  if (ids[0]) {
    const updated = await adminMutation(row.shopDomain, MARKDOWN_UPDATE_MUTATION, "discountAutomaticBasicUpdate", {
      id: ids[0],
      automaticBasicDiscount: markdownDiscountInput(variantId, percent),
    });
    await store(ids[0]);
    return updated.cost;
  }
  const created = await adminMutation<{ automaticDiscountNode: { id: string } | null; userErrors: [] }>(
    row.shopDomain,
    MARKDOWN_CREATE_MUTATION,
    "discountAutomaticBasicCreate",
    {
      automaticBasicDiscount: markdownDiscountInput(variantId, percent, new Date().toISOString()),
    },
  );
  await store(created.data.automaticDiscountNode?.id ?? null);
  return created.cost;
}

registerOutboxSender(MARKDOWN_SYNC_KIND, sendMarkdown);
