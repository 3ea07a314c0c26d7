// The recall banner (extensions/order-recall-banner) rendered with the `shopify` global the order
// status page gives it (the order, the session token API). Its fetch is answered by the app's real
// route loader on real Postgres. Preact's render and hooks are replaced by a minimal one-component
// renderer (state kept between renders, effects run after the first), as the print actions' test
// reads the element an entry renders: Node has no DOM. Asserts what the customer sees.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { VNode } from "preact";
import { loader } from "../../app/routes/api.customer.order-recalls";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { APP_URL } from "../../app/lib/extension-api";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { DESKTOP_UA, sessionToken } from "../helpers/session";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

const ui = vi.hoisted(() => ({
  rendered: [] as unknown[],
  states: [] as unknown[],
  cursor: 0,
  effects: [] as (() => unknown)[],
}));
vi.mock("preact", async (importOriginal) => ({
  ...(await importOriginal<typeof import("preact")>()),
  render: (vnode: unknown) => void ui.rendered.push(vnode),
}));
vi.mock("preact/hooks", () => ({
  useState: (initial: unknown) => {
    const slot = ui.cursor++;
    if (!(slot in ui.states)) ui.states[slot] = initial;
    return [ui.states[slot], (value: unknown) => void (ui.states[slot] = value)];
  },
  useEffect: (effect: () => unknown) => void ui.effects.push(effect),
}));

interface Page {
  shop: string;
  customerId: bigint | null;
  orderId: bigint | null;
}

/** What the app received: the URL and whether the bearer token was there. */
const requests: { url: string; bearer: boolean }[] = [];

/** Runs the extension as the order status page does and returns the element it shows once its fetch has been answered. */
async function showBanner(page: Page): Promise<VNode | null> {
  Object.assign(globalThis, {
    document: { body: {} },
    shopify: {
      order: {
        value: page.orderId === null ? undefined : { id: `gid://shopify/Order/${page.orderId}`, name: "#1001" },
        subscribe: () => () => undefined,
      },
      sessionToken: {
        get: async () => sessionToken(page.shop, { dest: page.shop, sub: page.customerId === null ? "" : `gid://shopify/Customer/${page.customerId}` }),
      },
    },
  });
  const answered: Promise<unknown>[] = [];
  vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    requests.push({ url, bearer: /^Bearer .+/.test(headers.get("Authorization") ?? "") });
    headers.set("Origin", "https://extensions.shopifycdn.com");
    headers.set("User-Agent", DESKTOP_UA);
    const response = loader({ request: new Request(url, { headers }), params: {}, context: {} }).catch((thrown: unknown) => {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    });
    answered.push(response);
    return response;
  });
  ui.rendered.length = 0;
  ui.states.length = 0;
  ui.effects.length = 0;
  const { default: run } = await import("../../extensions/order-recall-banner/src/RecallBanner");
  await run();
  const top = ui.rendered[0] as VNode;
  const renderOnce = () => {
    ui.cursor = 0;
    return (top.type as (props: unknown) => VNode | null)(top.props);
  };
  renderOnce();
  for (const effect of ui.effects.splice(0)) effect();
  // The effect awaits the token, then the fetch, then the JSON: let each step finish.
  for (let i = 0; i < 5 && answered.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
  await Promise.all(answered);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return renderOnce();
}

/** Every text the element shows, headings included, in order. */
function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === "boolean") return "";
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join(" ");
  const { props } = node as VNode<{ heading?: string; children?: unknown }>;
  return [props.heading ?? "", textOf(props.children)].join(" ").replace(/\s+/g, " ").trim();
}

/** The tones of the banners in the element. */
function bannerTones(node: unknown): string[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap(bannerTones);
  const vnode = node as VNode<{ tone?: string; children?: unknown }>;
  return [...(vnode.type === "s-banner" ? [vnode.props.tone ?? ""] : []), ...bannerTones(vnode.props.children)];
}

afterEach(() => {
  vi.unstubAllGlobals();
  Reflect.deleteProperty(globalThis, "shopify");
  Reflect.deleteProperty(globalThis, "document");
  requests.length = 0;
});

async function seed(label: string) {
  const shop = await createTestShop(label);
  const warehouse = await createLocation(shop.id, { name: "Warehouse" });
  const honey = await createVariant(shop.id, { sku: "HONEY", productTitle: "Wildflower honey 250 g" });
  const h1 = await createLot(shop.id, { variantId: honey, lotNumber: "H-1", quantity: 30, locationId: warehouse });
  const customerId = newId();
  const order = await shipToCustomer(shop.id, { customerId, customerName: "Maria Lopez", variantId: honey, lotId: h1, locationId: warehouse, quantity: 2 });
  return { shop, customerId, orderId: order.orderId };
}

describe("recall banner on the order status page", () => {
  it("shows a critical banner naming the product and lot, what to do and why, on a recalled order", async () => {
    const s = await seed("banner-ui-recalled");
    await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I" });
    const shown = await showBanner({ shop: s.shop.domain, customerId: s.customerId, orderId: s.orderId });
    expect(bannerTones(shown)).toEqual(["critical"]);
    const text = textOf(shown);
    expect(text).toContain("Recall: Wildflower honey 250 g, lot H-1");
    expect(text).toContain("What to do: Stop using this product now.");
    expect(text).toContain("Reason: Possible glass fragments");
    expect(requests).toEqual([{ url: `${APP_URL}/api/customer/order-recalls?orderId=gid%3A%2F%2Fshopify%2FOrder%2F${s.orderId}`, bearer: true }]);
  });

  it("shows nothing on an order without a recalled lot, on someone else's order and before the order exists", async () => {
    const s = await seed("banner-ui-clear");
    expect(await showBanner({ shop: s.shop.domain, customerId: s.customerId, orderId: s.orderId })).toBeNull();

    await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I" });
    // Another signed-in customer opening this order's page (the app answers 404): no banner, no error.
    expect(await showBanner({ shop: s.shop.domain, customerId: newId(), orderId: s.orderId })).toBeNull();
    // The order is still being processed (shopify.order is undefined): nothing is fetched.
    requests.length = 0;
    expect(await showBanner({ shop: s.shop.domain, customerId: s.customerId, orderId: null })).toBeNull();
    expect(requests).toEqual([]);
  });
});
