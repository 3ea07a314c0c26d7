// A lot's state as the merchant reads it: recalled, quarantined, expired, expiring, active.
import { Badge } from "@shopify/polaris";

export function daysUntil(date: string, today = new Date()): number {
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((Date.parse(`${date}T00:00:00Z`) - start) / 86_400_000);
}

export function LotStatusBadge({ status, expiresOn, incomplete }: { status: string; expiresOn?: string | null; incomplete?: boolean }) {
  if (status === "RECALLED") return <Badge tone="critical">Recalled</Badge>;
  if (status === "QUARANTINED") return <Badge tone="warning">Quarantined</Badge>;
  if (incomplete) return <Badge tone="attention">Incomplete</Badge>;
  if (expiresOn) {
    const days = daysUntil(expiresOn);
    if (days < 0) return <Badge tone="critical">Expired</Badge>;
    if (days <= 30) return <Badge tone="attention">{`Expires in ${days} d`}</Badge>;
  }
  return <Badge tone="success">Active</Badge>;
}
