// The print actions on Shopify's order page and order list (extensions/order-pick-list-print,
// extensions/orders-pick-list-print): each entry rendered with the `shopify` global the admin
// gives it, and the document it hands Shopify to print read from what it renders.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { VNode } from "preact";
import { pickListPrintSrc } from "../../app/lib/extension-api";
import { MAX_PRINTED_ORDERS, parsePickListPrintRequest } from "../../app/domain/picking/pick-list-request";

const rendered: VNode[] = [];
vi.mock("preact", async (importOriginal) => ({
  ...(await importOriginal<typeof import("preact")>()),
  render: (vnode: VNode) => void rendered.push(vnode),
}));

/** Runs an extension entry as the admin does and returns the src of the print action it renders. */
async function printSrc(entry: () => Promise<{ default: () => Promise<void> }>, selected: string[]): Promise<string | undefined> {
  Object.assign(globalThis, { shopify: { data: { selected: selected.map((id) => ({ id })) } }, document: { body: {} } });
  rendered.length = 0;
  await (await entry()).default();
  // The entry renders the shared component; calling it gives the element Shopify reads.
  const top = rendered[0]!;
  const element = (top.type as (props: unknown) => VNode)(top.props);
  expect(element.type).toBe("s-admin-print-action");
  return (element.props as { src?: string }).src;
}

const orderPage = () => import("../../extensions/order-pick-list-print/src/PrintActionExtension");
const orderList = () => import("../../extensions/orders-pick-list-print/src/PrintActionExtension");

function orderIdsOf(src: string | undefined): string[] {
  const url = new URL(src!, "https://lotkeeper.test");
  expect(url.pathname).toBe("/app/pick-list/print");
  return url.searchParams.get("orderIds")!.split(",");
}

afterEach(() => {
  Reflect.deleteProperty(globalThis, "shopify");
  Reflect.deleteProperty(globalThis, "document");
});

describe("pick list print actions", () => {
  it("prints the order being viewed on the order page", async () => {
    expect(orderIdsOf(await printSrc(orderPage, ["gid://shopify/Order/4521"]))).toEqual(["4521"]);
  });

  it("prints every order selected in the order list, in one document", async () => {
    expect(orderIdsOf(await printSrc(orderList, ["gid://shopify/Order/11", "gid://shopify/Order/9007199254740993"]))).toEqual(["11", "9007199254740993"]);
  });

  it("gives no document when no order is selected, so Shopify disables Print", async () => {
    expect(await printSrc(orderList, [])).toBeUndefined();
    expect(pickListPrintSrc(["", "  "])).toBeUndefined();
  });
});

describe("the print page's order ids", () => {
  const parse = (query: string) => parsePickListPrintRequest(new URLSearchParams(query));
  it("takes ids and Order GIDs, once each, in the order given", () => {
    expect(parse("orderIds=gid://shopify/Order/12, 5,12")).toEqual({ kind: "orders", orderIds: [12n, 5n], locationId: undefined });
    expect(parse("orderIds=5&location=77")).toEqual({ kind: "orders", orderIds: [5n], locationId: 77n });
  });
  it("refuses no ids, another resource's GID, junk and more orders than one print holds", () => {
    expect(parse("orderIds=")).toMatchObject({ kind: "invalid", message: expect.stringContaining("orderIds") });
    expect(parse("orderIds=gid://shopify/Product/3")).toMatchObject({ kind: "invalid", message: expect.stringContaining("gid://shopify/Product/3") });
    expect(parse("orderIds=1&location=x")).toMatchObject({ kind: "invalid", message: expect.stringContaining("location") });
    const many = Array.from({ length: MAX_PRINTED_ORDERS + 1 }, (_, i) => i + 1).join(",");
    expect(parse(`orderIds=${many}`)).toMatchObject({ kind: "invalid", message: expect.stringContaining(`at most ${MAX_PRINTED_ORDERS}`) });
  });
});
