// The one mapping from domain errors to route answers (app/lib/domain-error-response.server.ts):
// what a merchant sees for each kind of error, whichever route it comes from.
import { describe, expect, it } from "vitest";
import { domainErrorAnswer, errorResponse, extensionErrorStatus, refusal, refusalMessage } from "../../app/lib/domain-error-response.server";
import { AllocationNotFoundError, AllocationNotMovableError, OrderNotFoundError } from "../../app/domain/allocation/errors";
import { LotNotFoundError, LotValidationError } from "../../app/domain/lots/lot-errors";
import { InvalidCursorError, RecallNotFoundError } from "../../app/domain/recall/errors";
import { EventAlreadyProcessedError } from "../../app/domain/webhooks/events.server";
import { SettingsValidationError } from "../../app/domain/shops/settings";
import { BadResourceIdError } from "../../app/lib/extension-views";
import { Gs1Error } from "../../app/domain/gs1/gs1";

async function thrown(f: () => unknown): Promise<Response> {
  try {
    f();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

describe("refusal (actions)", () => {
  it("is a 404 only when what is missing is what the URL names; otherwise a banner with the message", async () => {
    const notFound = await thrown(() => refusal(new AllocationNotFoundError(7n), { resource: "allocation" }));
    expect([notFound.status, await notFound.text()]).toEqual([404, "Not found"]);
    // The lot the units should move to is input, not the page: a banner.
    expect(refusal(new LotNotFoundError("lot 9 does not exist in this shop"), { resource: "allocation" })).toEqual({
      ok: false,
      error: "lot 9 does not exist in this shop",
      errors: {},
    });
    expect(refusal(new AllocationNotMovableError("already on lot A"), { resource: "allocation" })).toEqual({
      ok: false,
      error: "already on lot A",
      errors: {},
    });
  });

  it("words validation problems with the form's labels and a prefix, or in the route's own words", () => {
    const problems = new LotValidationError([{ field: "delta", message: "must be a whole number" }]);
    expect(refusal(problems, { prefix: "Not received: ", labels: { delta: "Units" } })).toEqual({
      ok: false,
      error: "Not received: Units: must be a whole number",
      errors: { delta: "must be a whole number" },
    });
    const settings = new SettingsValidationError([{ field: "minShelfLifeDays", message: "0 to 3650" }]);
    expect(refusal(settings, { messages: { SettingsValidationError: "Settings not saved: fix the fields marked below" } })).toEqual({
      ok: false,
      error: "Settings not saved: fix the fields marked below",
      errors: { minShelfLifeDays: "0 to 3650" },
    });
    expect(
      refusal(new EventAlreadyProcessedError("w1"), {
        resource: "webhook event",
        messages: { EventAlreadyProcessedError: "The w1 delivery is already processed" },
      }).error,
    ).toBe("The w1 delivery is already processed");
  });

  it("puts an error's own prefix before its message, the form's prefix before any other", () => {
    const options = { prefix: "Not received: ", prefixes: { Gs1Error: "Barcode not read: " } };
    expect(refusal(new Gs1Error("GTIN check digit 2, expected 1", 1, "01"), options).error).toBe("Barcode not read: GTIN check digit 2, expected 1");
    expect(refusal(new LotNotFoundError("lot 9 does not exist in this shop"), options).error).toBe("Not received: lot 9 does not exist in this shop");
  });

  it("rethrows what is not a domain error (a bug or an outage stays a 500)", () => {
    const bug = new TypeError("x is undefined");
    expect(() => refusal(bug)).toThrow(bug);
    expect(() => refusalMessage(bug)).toThrow(bug);
  });
});

describe("errorResponse (loaders) and the extensions' statuses", () => {
  it("answers 404 for the URL's resource and 400 with the message otherwise", async () => {
    const missing = errorResponse(new RecallNotFoundError("5"), "recall");
    expect([missing.status, await missing.text()]).toEqual([404, "Not found"]);
    const cursor = errorResponse(new InvalidCursorError("zz"));
    expect(cursor.status).toBe(400);
    expect(await cursor.text()).toContain('invalid page cursor "zz"');
  });

  it("gives the extensions 400 for a bad id, 404 for an unknown order, 422 for a refusal", () => {
    expect(extensionErrorStatus(domainErrorAnswer(new BadResourceIdError("orderId is required")))).toBe(400);
    expect(extensionErrorStatus(domainErrorAnswer(new OrderNotFoundError(4521n)))).toBe(404);
    expect(extensionErrorStatus(domainErrorAnswer(new AllocationNotMovableError("no")))).toBe(422);
  });
});
