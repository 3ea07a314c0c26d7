// Step "alerts": lots entering their alert window (the product's days before expiry, else the
// shop's, default 30), each alerted once: listed in the run's task and on Home, and sent to Shopify
// Flow as "Lot expiring soon" (one trigger per alert, through the outbox, decision 109).
import { addLotExpiringSoonTriggers } from "../flow/flow-triggers.server";
import type { ExpiryStep } from "./expiry-step";
import { recordExpiryEvents, summarise } from "./expiry-events.server";

export const alertStep: ExpiryStep = {
  name: "alerts",
  async run(ctx) {
    const lots = await recordExpiryEvents(ctx, "ALERT");
    const recorded = lots.filter((lot) => lot.eventId !== null);
    if (recorded.length > 0) {
      ctx.queueAfterCommit(
        await addLotExpiringSoonTriggers(
          ctx.sql,
          ctx.shopId,
          recorded.map((lot) => ({ ...lot, eventId: lot.eventId!, productTitle: lot.product })),
        ),
      );
    }
    return { ...summarise(lots) };
  },
};
