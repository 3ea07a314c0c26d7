// `lotkeeper privacy requests`: the customers/data_request exports stored for the merchant.
import { optionalLimit, type Command } from "../command";
import { requireShopId } from "../shop-option";
import { pool } from "../../db.server";
import { listDataRequests } from "../../domain/privacy/privacy.server";

export const privacyRequests: Command = {
  name: "privacy requests",
  summary: "List the customer data requests (exports of what the app holds) stored for a shop",
  usage: `lotkeeper privacy requests --shop <domain> [--limit <n>]

Prints a JSON array, newest first: {id, customerId, email, createdAt, export}. export holds what
Lotkeeper keeps about that customer: orders with the customer snapshot and lines, lots shipped
to them with quantities and returns, recalls naming them. A later customers/redact deletes them.`,
  options: { shop: { type: "string" }, limit: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const limit = optionalLimit(args, 1000) ?? 100;
    return listDataRequests(pool(), shopId, limit);
  },
};
