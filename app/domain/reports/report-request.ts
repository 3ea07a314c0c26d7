// A report's page and download ask for it by name, with ?location=<id>; checked here once.
import { matchShopifyId } from "../../lib/json";
import type { ReportOptions } from "./report";

export function reportRequest(name: string | undefined, params: URLSearchParams): { name: string; options: ReportOptions } | { problem: string } {
  const location = params.get("location")?.trim();
  const locationId = location ? matchShopifyId(location) : undefined;
  if (locationId === null) return { problem: `location must be a Shopify location id, got "${location}"` };
  return { name: name ?? "", options: { locationId, extra: {} } };
}
