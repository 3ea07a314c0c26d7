// The printable pick list of several orders (the admin's print actions): one plain HTML document,
// a section per order with its rows lot by lot, that prints as it is on any printer. Pure: the
// caller gives each order's list or the words saying why it has none.
import type { GroupedPickList, PickStatus } from "./pick-list-rules";

export interface PrintSection {
  orderId: bigint;
  list: (GroupedPickList & { location: { id: bigint; name: string | null }; orders: { id: bigint; name: string | null }[] }) | null;
  /** Why the order has no pick list (cancelled, no location known); null when it has one. */
  refusal: string | null;
}

const STATUS_WORDS: Record<PickStatus, string> = {
  pick: "",
  "no-lot-available": "No lot available",
  manual: "Choose the lot (manual)",
  "not-lot-tracked": "Not lot-tracked",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function pickListPrintHtml(sections: readonly PrintSection[], generatedAt: Date): string {
  const body = sections.map(section).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pick list</title>
<style>
body { font-family: system-ui, sans-serif; font-size: 11pt; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 0.2em; }
h2 { font-size: 13pt; margin: 1.2em 0 0.3em; }
section { break-inside: avoid-page; }
section + section { border-top: 1px solid #888; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
p.note { font-style: italic; }
</style>
</head>
<body>
<h1>Pick list</h1>
<p>${sections.length} order${sections.length === 1 ? "" : "s"}, planned ${escapeHtml(generatedAt.toISOString().slice(0, 16).replace("T", " "))} UTC over the lot balances on hand; nothing is reserved.</p>
${body}
</body>
</html>
`;
}

function section(s: PrintSection): string {
  const name = s.list?.orders[0]?.name ?? `Order ${s.orderId}`;
  if (!s.list) return `<section>\n<h2>${escapeHtml(name)}</h2>\n<p class="note">${escapeHtml(s.refusal ?? "No pick list.")}</p>\n</section>`;
  const where = s.list.location.name ?? `Location ${s.list.location.id}`;
  if (s.list.rows.length === 0) return `<section>\n<h2>${escapeHtml(name)} · ${escapeHtml(where)}</h2>\n<p class="note">Nothing left to pick.</p>\n</section>`;
  const rows = s.list.lots.flatMap((group) =>
    group.rows.map(
      (r) =>
        `<tr><td>${escapeHtml(group.lotNumber ?? "Without a lot")}</td><td>${escapeHtml(group.expiresOn ?? "")}</td><td>${escapeHtml(r.sku ?? "")}</td>` +
        `<td>${escapeHtml(r.title ?? "")}</td><td>${escapeHtml(r.bin ?? "")}</td><td class="n">${r.quantity}</td><td>${escapeHtml(STATUS_WORDS[r.status])}</td><td></td></tr>`,
    ),
  );
  return `<section>
<h2>${escapeHtml(name)} · ${escapeHtml(where)}</h2>
<table>
<thead><tr><th>Lot</th><th>Expiry</th><th>SKU</th><th>Product</th><th>Bin</th><th>Quantity</th><th>Note</th><th>Picked</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<p>Total: ${s.list.totals.quantity} units, ${s.list.totals.toPick} to pick.</p>
</section>`;
}
