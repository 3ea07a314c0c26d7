// Step "alerts": lots entering their alert window (the product's days before expiry, else the
// shop's, default 30), each alerted once. Home's digest and the task page list them.
import type { ExpiryStep } from "./expiry-step";
import { recordExpiryEvents } from "./expiry-events.server";

export const alertStep: ExpiryStep = {
  name: "alerts",
  run: async (ctx) => ({ ...(await recordExpiryEvents(ctx, "ALERT")) }),
};
