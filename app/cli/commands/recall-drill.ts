// `lotkeeper recall drill` (a mock recall: trace and mass balance, nothing changed) and
// `lotkeeper recall effectiveness` (the FDA effectiveness-check level of a case). Decision 106.
import { writeFile } from "node:fs/promises";
import type { Command } from "../command";
import { optionalString, requireString } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { runRecallDrill } from "../../domain/recall/recall-drill.server";
import { drillReportPdf } from "../../domain/recall/drill-pdf.server";
import { parseEffectivenessChoice } from "../../domain/recall/effectiveness-rules";
import { setRecallEffectivenessLevel } from "../../domain/recall/recall-effectiveness.server";
import { getRecall } from "../../domain/recall/recall-case.server";
import { recallIdFor } from "./recall-cases";

export const recallDrill: Command = {
  name: "recall drill",
  summary: "Mock recall of a lot: the whole trace and mass balance, timed, without changing Shopify or customers",
  usage: `lotkeeper recall drill --shop <domain> --lot <number> [--variant <id>] [--out report.pdf]

Runs everything opening a recall would find (the lots and every lot made from them, the lots and
suppliers upstream, every customer, on hand, shipments, possibly affected units, mass balance) in
one read-only transaction: no quarantine, no Shopify change, no recall case, no contact status.
The report is kept (listed on the Recalls page). Prints {startedAt, finishedAt, durationMs,
lots, customers, massBalance: {received, shipped, onHand, returned, destroyed, adjusted,
unexplained}, steps: [{name, ms, count}]}; --out also writes it as a PDF.`,
  options: { shop: { type: "string" }, lot: { type: "string" }, variant: { type: "string" }, out: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotNumber = requireString(args, "lot").trim();
    const variantId = optionalShopifyId(args, "variant");
    const { id: _id, ...report } = await runRecallDrill(shopId, { lotNumber, variantId });
    const out = optionalString(args, "out");
    if (out) await writeFile(out, await drillReportPdf(report, lotNumber));
    return report;
  },
};

export const recallEffectiveness: Command = {
  name: "recall effectiveness",
  summary: "Choose a recall's FDA effectiveness-check level (A 100%, B 11-99%, C 10%, D 2%, E none)",
  usage: `lotkeeper recall effectiveness --shop <domain> --recall <id or reference> --level a|b|c|d|e [--percent <11-99>]

21 CFR 7.42(b)(3): the share of consignees the effectiveness checks contact. Level B needs
--percent (greater than 10, less than 100). Prints the case (as recall show), whose
"effectiveness" measures customers reached and shipped units accounted for against the level.`,
  options: { shop: { type: "string" }, recall: { type: "string" }, level: { type: "string" }, percent: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = await recallIdFor(shopId, requireString(args, "recall"));
    await setRecallEffectivenessLevel(shopId, id, parseEffectivenessChoice(requireString(args, "level"), optionalString(args, "percent")));
    return getRecall(shopId, id);
  },
};
