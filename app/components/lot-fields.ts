// The labels of a lot's fields in the panel's forms (receive, edit), keyed by the field names the
// domain uses in its validation problems (app/domain/lots/lot-rules.ts).
export const LOT_FIELD_LABELS: Record<string, string> = {
  lot: "Lot number",
  expires: "Expiry date",
  "best-before": "Best before",
  produced: "Production date",
  supplier: "Supplier",
  "supplier-lot": "Supplier lot",
  po: "Purchase order",
  cost: "Unit cost",
  currency: "Currency",
  notes: "Notes",
};
