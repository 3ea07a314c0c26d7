// Step "expire": lots whose expiry date has passed in the shop's day with units on hand. From that
// day on they are no longer allocated, reserved, picked or sold at the POS (every one of those
// counts shelf life from the shop's day, settings.server.ts shelfRule); the run re-plans the
// reservations still holding them once its transaction commits (daily-run.server.ts).
import type { ExpiryStep } from "./expiry-step";
import { recordExpiryEvents, summarise } from "./expiry-events.server";

export const expireStep: ExpiryStep = {
  name: "expire",
  run: async (ctx) => ({ ...summarise(await recordExpiryEvents(ctx, "EXPIRED")) }),
};
