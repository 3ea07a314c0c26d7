// `lotkeeper recall open|show|list|close|contact`: recall cases from the command line.
import type { Command, ParsedArgs } from "../command";
import { CliError, optionalLimit, UsageError, requireString } from "../command";
import { requireShopId } from "../shop-option";
import {
  closeRecall,
  findRecallId,
  getRecall,
  listRecallCustomers,
  listRecalls,
  openRecall,
  setCustomerContactStatus,
} from "../../domain/recall/recall-case.server";
import { parseContactStatus } from "../../domain/recall/recall-rules";
import { parseId } from "../../lib/ids";

/** The shop's recall with this id or reference; a clear error when there is none (also for recall export). */
export async function recallIdFor(shopId: number, ref: string): Promise<bigint> {
  const id = await findRecallId(shopId, ref);
  if (id === null) throw new CliError(`recall "${ref}" was not found in this shop (lotkeeper recall list)`);
  return id;
}

function recallIdOf(shopId: number, args: ParsedArgs): Promise<bigint> {
  return recallIdFor(shopId, requireString(args, "recall"));
}

/** "H-1" or "H-1@4455" (lot H-1 of variant 4455). */
function lotRef(text: string): { lotNumber: string; variantId?: bigint } {
  const at = /^(.*)@(\d+)$/s.exec(text);
  const variantId = at ? parseId(at[2]) : null;
  return at && at[1] && variantId !== null ? { lotNumber: at[1], variantId } : { lotNumber: text };
}

export const recallOpen: Command = {
  name: "recall open",
  summary: "Open a recall case for one or more lots: quarantine what is left, list customers, optionally tag in Shopify",
  usage: `lotkeeper recall open --shop <domain> --lot <number>[@<variant id>] [--lot ...] --reason <text>
                     --severity class_i|class_ii|class_iii [--reference <ref>] [--tag-shopify]

Opening: the lots and every lot made from them (production runs) are in scope; their remaining
units are quarantined (moved to quality_control in Shopify) and the lots marked RECALLED; every
customer who received units is listed as to_contact. --tag-shopify adds the tag
"recall-<reference>" to each affected order and customer in Shopify (queued, throttled jobs;
progress in "tagging"). Prints the case (as recall show).`,
  options: {
    shop: { type: "string" },
    lot: { type: "string", multiple: true },
    reason: { type: "string" },
    severity: { type: "string" },
    reference: { type: "string" },
    "tag-shopify": { type: "boolean" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const lots = ((args.values.lot as unknown as string[] | undefined) ?? []).map((l) => l.trim()).filter(Boolean);
    if (lots.length === 0) throw new UsageError("at least one --lot <number> is required");
    return openRecall(shopId, {
      lots: lots.map(lotRef),
      reason: requireString(args, "reason"),
      severity: requireString(args, "severity"),
      reference: typeof args.values.reference === "string" ? args.values.reference : undefined,
      tagShopify: args.values["tag-shopify"] === true,
      cause: "CLI",
    });
  },
};

export const recallShow: Command = {
  name: "recall show",
  summary: "A recall case: scope, totals, contact progress, Shopify tagging progress (and --customers)",
  usage: `lotkeeper recall show --shop <domain> --recall <id or reference> [--customers [--status <s>] [--limit <n>] [--cursor <c>]]

Prints {id, reference, reason, severity, status, lots, totals, progress: {customers, toContact,
contacted, returned, destroyed, completionPercent, resolvedPercent}, tagging, massBalance,
effectiveness} (decision 106; choose the level with recall effectiveness). With --customers,
also one page of customers with their contactStatus (customerKey identifies each one);
--status to_contact|contacted|returned|destroyed lists only the customers in that status.`,
  options: {
    shop: { type: "string" },
    recall: { type: "string" },
    customers: { type: "boolean" },
    status: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = await recallIdOf(shopId, args);
    const recall = await getRecall(shopId, id);
    if (!args.values.customers) return recall;
    const limit = optionalLimit(args, 500);
    const page = await listRecallCustomers(shopId, id, typeof args.values.cursor === "string" ? args.values.cursor : null, {
      limit,
      status: typeof args.values.status === "string" ? parseContactStatus(args.values.status) : undefined,
    });
    return { ...recall, customers: page.customers, nextCursor: page.nextCursor };
  },
};

export const recallList: Command = {
  name: "recall list",
  summary: "The shop's recall cases by opened date (newest first), one page at a time",
  usage: `lotkeeper recall list --shop <domain> [--status open|closed] [--sort newest|oldest] [--limit <n>] [--cursor <c>]

Prints {"recalls": [...], "nextCursor"}: at most --limit cases (default 50, at most 500); pass
nextCursor as --cursor (with the same --status and --sort) for the next page; null on the last.`,
  options: { shop: { type: "string" }, status: { type: "string" }, sort: { type: "string" }, limit: { type: "string" }, cursor: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const status = typeof args.values.status === "string" ? args.values.status.toUpperCase() : undefined;
    if (status !== undefined && status !== "OPEN" && status !== "CLOSED") throw new UsageError("--status must be open or closed");
    const sort = typeof args.values.sort === "string" ? args.values.sort.toLowerCase() : undefined;
    if (sort !== undefined && sort !== "newest" && sort !== "oldest") throw new UsageError("--sort must be newest or oldest");
    return listRecalls(shopId, {
      status,
      sort,
      limit: optionalLimit(args, 500) ?? 50,
      cursor: typeof args.values.cursor === "string" ? args.values.cursor : null,
    });
  },
};

export const recallClose: Command = {
  name: "recall close",
  summary: "Close a recall case (its lots stay recalled and quarantined)",
  usage: `lotkeeper recall close --shop <domain> --recall <id or reference>

The lots stay RECALLED and their units quarantined: recalled goods do not go back on sale by
closing the case. Prints the closed case with its final progress.`,
  options: { shop: { type: "string" }, recall: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = await recallIdOf(shopId, args);
    return closeRecall(shopId, id);
  },
};

export const recallContact: Command = {
  name: "recall contact",
  summary: "Record a customer's status in a recall: to_contact, contacted, returned, destroyed",
  usage: `lotkeeper recall contact --shop <domain> --recall <id or reference> --customer <customerKey> --status <status>

customerKey as listed by recall show --customers: a customer id, "email:<address>" or
"order:<order id>" for guests. Prints {customerKey, status, progress}.`,
  options: { shop: { type: "string" }, recall: { type: "string" }, customer: { type: "string" }, status: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = await recallIdOf(shopId, args);
    return setCustomerContactStatus(shopId, id, requireString(args, "customer"), parseContactStatus(requireString(args, "status")));
  },
};
