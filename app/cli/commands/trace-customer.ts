import type { Command } from "../command";
import { CliError, UsageError } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { traceCustomer } from "../../domain/trace/trace.server";

export const traceCustomerCommand: Command = {
  name: "trace customer",
  summary: "Lots a customer received (by email or customer id), and their input lots and suppliers",
  usage: `lotkeeper trace customer --shop <domain> (--email <e> | --customer <id>)

Prints {"customerIds", "email", "orders", "lots": [{lotNumber, variantId, units, returnedUnits,
orders: [...]}], "unknownLot": [...lines no lot covered], "upstream": {lots, edges, suppliers}}.
The email matches the order's customer email or order email, case-insensitively; orders of every
customer id found by that email count too.`,
  options: { shop: { type: "string" }, email: { type: "string" }, customer: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const customerId = optionalShopifyId(args, "customer");
    const email = typeof args.values.email === "string" && args.values.email.trim() !== "" ? args.values.email.trim() : undefined;
    if (customerId === undefined && email === undefined) throw new UsageError("give --email <e> or --customer <id>");
    const result = await traceCustomer(shopId, { customerId, email });
    if (result.orders === 0) throw new CliError(`no shipped units found for ${email ?? `customer ${customerId}`} in this shop`);
    return result;
  },
};
