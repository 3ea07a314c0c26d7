// Pack station (issue #12 item 4, docs/decisions/104-pack-station.md): type or scan the order,
// see its open lines with the planned lot of each, then scan every unit's GS1 barcode into the box.
// Built for a keyboard-wedge scanner (the focused field takes what it types and its Enter) and a
// phone camera. A refused unit is shown in large red text and spoken; it changes nothing. The
// accepted scans of the session live in this page and are sent back with every scan.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { adminContext, forClient } from "../lib/admin-context.server";
import { pool } from "../db.server";
import { refusal, refusalMessage } from "../lib/domain-error-response.server";
import { matchShopifyId } from "../lib/json";
import { listLocations } from "../domain/overview/choices.server";
import { openPackOrder, scanAtPackStation } from "../domain/packing/pack-station.server";
import { PickListLocationRequiredError } from "../domain/picking/errors";
import type { AcceptedScan } from "../domain/packing/pack-rules";
import { failed } from "../components/action-result";
import { CameraScanner } from "../components/camera-scanner";
import { RouteError } from "../components/route-error";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shopId } = await adminContext(request);
  const url = new URL(request.url);
  const locations = await listLocations(pool(), shopId);
  const query = { order: url.searchParams.get("order")?.trim() ?? "", location: url.searchParams.get("location")?.trim() ?? "" };
  if (query.order === "") return forClient({ query, locations, pack: null, error: null });
  const locationId = parseLocation(query.location);
  if (locationId === null)
    return forClient({ query, locations, pack: null, error: `location must be a Shopify location id (digits), got "${query.location}"` });
  try {
    return forClient({ query, locations, pack: await openPackOrder(shopId, query.order, locationId), error: null });
  } catch (error) {
    // The pick list's wording names its CLI flag; a packer chooses the location on this page.
    const message =
      error instanceof PickListLocationRequiredError
        ? `Order ${query.order} has no open fulfilment with a known location: choose the location you pack at, then open the order again.`
        : refusalMessage(error);
    return forClient({ query, locations, pack: null, error: message });
  }
};

function parseLocation(text: string): bigint | undefined | null {
  return text === "" ? undefined : matchShopifyId(text, "Location");
}

/** The session's scans as the page posts them (ids as strings: JSON has no bigint). */
const ScansSchema = z
  .array(
    z.object({
      lineItemId: z.string().regex(/^\d{1,19}$/),
      lotId: z
        .string()
        .regex(/^\d{1,19}$/)
        .nullable(),
      lotNumber: z.string().max(20).nullable(),
      quantity: z.number().int().positive(),
    }),
  )
  .max(1000);

type ScanAnswer =
  | { ok: true; accepted: true; message: string; lineItemId: string; plannedLot: boolean; orderPacked: boolean; scans: ClientScan[] }
  | { ok: true; accepted: false; reason: string; message: string }
  | ReturnType<typeof failed>;

type ClientScan = { lineItemId: string; lotId: string | null; lotNumber: string | null; quantity: number };

export const action = async ({ request }: ActionFunctionArgs): Promise<ScanAnswer> => {
  const { shopId } = await adminContext(request);
  const form = await request.formData();
  const locationId = parseLocation(String(form.get("location") ?? "").trim());
  if (locationId === null) return failed("Not checked: the location must be a Shopify location id (digits). Reload the order.");
  let accepted: AcceptedScan[];
  try {
    accepted = ScansSchema.parse(JSON.parse(String(form.get("scans") ?? "[]"))).map((s) => ({
      lineItemId: BigInt(s.lineItemId),
      lotId: s.lotId === null ? null : BigInt(s.lotId),
      lotNumber: s.lotNumber,
      quantity: s.quantity,
    }));
  } catch {
    return failed("Not checked: the scans on the page are not readable. Reload the order.");
  }
  try {
    const r = await scanAtPackStation(shopId, { order: String(form.get("order") ?? ""), locationId, scan: String(form.get("scan") ?? ""), accepted });
    if (!r.accepted) return { ok: true, accepted: false, reason: r.refusal.reason, message: r.refusal.message };
    return {
      ok: true,
      accepted: true,
      message: r.message,
      lineItemId: r.line.lineItemId.toString(),
      plannedLot: r.plannedLot,
      orderPacked: r.orderPacked,
      scans: forClient(r.scans),
    };
  } catch (error) {
    return refusal(error, { prefix: "Not checked: " });
  }
};

/** Says a refusal aloud where the browser can (speechSynthesis); a silent browser still shows it. */
function speak(text: string): void {
  if (typeof window === "undefined" || !("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

export default function PackStation() {
  const data = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const [order, setOrder] = useState(data.query.order);
  const [location, setLocation] = useState(data.query.location);
  const pack = data.pack;
  return (
    <Page title="Pack station">
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineStack gap="300" blockAlign="end">
                {/* A scanner types the order and presses Enter, which submits this form. */}
                <TextField
                  label="Order"
                  name="order"
                  value={order}
                  onChange={setOrder}
                  autoComplete="off"
                  placeholder="#1001"
                  autoFocus={!pack}
                  helpText="Type or scan the order name or id, then Enter"
                />
                <Select
                  label="Location"
                  name="location"
                  value={location}
                  onChange={setLocation}
                  options={[{ label: "The order's open fulfilment's", value: "" }, ...data.locations.map((l) => ({ label: l.name, value: l.id }))]}
                />
                <Button submit variant="primary" loading={navigation.state === "loading"}>
                  Open order
                </Button>
              </InlineStack>
            </Form>
          </Card>
        </Layout.Section>
        {data.error ? (
          <Layout.Section>
            <Banner tone="critical" title="Order not opened">
              <p>{data.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {/* A new order (or location) starts a new session: the key drops the previous scans. */}
        {pack ? <PackSession key={`${pack.order.id}@${pack.location.id}`} pack={pack} location={data.query.location} /> : null}
      </Layout>
    </Page>
  );
}

type LoadedPack = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["pack"]>;
type Answer = { tone: "success" | "critical"; text: string };

function PackSession({ pack, location }: { pack: LoadedPack; location: string }) {
  const fetcher = useFetcher<typeof action>();
  const [scan, setScan] = useState("");
  const [scans, setScans] = useState<ClientScan[]>([]);
  const [answer, setAnswer] = useState<Answer | null>(null);
  // A wedge scanner can send the next code before the answer to the last one is back: scans wait
  // here and go one at a time, each with the scans accepted before it (a second submit would
  // cancel the first).
  const queue = useRef<string[]>([]);
  const scansRef = useRef<ClientScan[]>([]);
  const inFlight = useRef(false);
  const lastAnswer = useRef<unknown>(undefined);
  const input = useRef<HTMLDivElement>(null);

  const send = () => {
    if (inFlight.current || queue.current.length === 0) return;
    const next = queue.current.shift()!;
    inFlight.current = true;
    fetcher.submit({ order: pack.order.id, location, scan: next, scans: JSON.stringify(scansRef.current) }, { method: "post" });
  };
  const enqueue = (text: string) => {
    if (text.trim() === "") return;
    queue.current.push(text);
    send();
  };

  useEffect(() => {
    const r = fetcher.data;
    if (fetcher.state !== "idle" || !r || r === lastAnswer.current) return;
    lastAnswer.current = r;
    inFlight.current = false;
    if (!r.ok) {
      setAnswer({ tone: "critical", text: r.error });
      speak(r.error);
    } else if (r.accepted) {
      scansRef.current = r.scans;
      setScans(r.scans);
      setAnswer({ tone: "success", text: r.message });
    } else {
      setAnswer({ tone: "critical", text: r.message });
      speak(r.message);
    }
    send();
    // send() reads refs only: the effect runs once per answer (lastAnswer guards a repeat).
  }, [fetcher.data, fetcher.state]);

  // Keep the scan field focused for the wedge scanner, also after an answer is shown.
  useEffect(() => {
    input.current?.querySelector("input")?.focus();
  }, [answer]);

  const packed = (lineItemId: string) => scans.filter((s) => s.lineItemId === lineItemId).reduce((n, s) => n + s.quantity, 0);
  const complete = pack.lines.length > 0 && pack.lines.every((l) => packed(l.lineItemId) >= l.quantity);

  return (
    <>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Order {pack.order.name} at {pack.location.name}
            </Text>
            {pack.lines.length === 0 ? (
              <Text as="p">Nothing left to pack on this order.</Text>
            ) : (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  enqueue(scan);
                  setScan("");
                }}
              >
                <div ref={input}>
                  <TextField
                    label="Scan an item"
                    value={scan}
                    onChange={setScan}
                    autoComplete="off"
                    autoFocus
                    placeholder="(01)04012345000023(17)271231(10)LOT42"
                    helpText="Scan each unit's GS1 barcode (GTIN and lot); one scan is one unit."
                    connectedRight={
                      <Button submit loading={fetcher.state !== "idle"}>
                        Check
                      </Button>
                    }
                  />
                </div>
              </form>
            )}
            {pack.lines.length > 0 ? <CameraScanner onScan={enqueue} /> : null}
            {answer ? <ScanBanner answer={answer} /> : null}
            {complete ? (
              <Banner tone="success" title={`Order ${pack.order.name} is packed`}>
                <p>Every line has its units. Close the box.</p>
              </Banner>
            ) : null}
          </BlockStack>
        </Card>
      </Layout.Section>
      {pack.lines.length > 0 ? (
        <Layout.Section>
          <Card>
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "numeric", "text"]}
              headings={["Product", "SKU", "Planned lot", "Scanned lots", "Packed", ""]}
              rows={pack.lines.map((l) => {
                const n = packed(l.lineItemId);
                const scanned = scans.filter((s) => s.lineItemId === l.lineItemId && s.lotNumber !== null);
                return [
                  l.title ?? "",
                  l.sku ?? "",
                  !l.lotTracked
                    ? "Not lot-tracked"
                    : l.manual && l.planned.length === 0
                      ? "Any good lot (manual)"
                      : l.planned.length === 0
                        ? "No lot available"
                        : l.planned.map((p) => `${p.lotNumber}${p.bin ? ` (bin ${p.bin})` : ""} × ${p.quantity}`).join(", "),
                  scanned.map((s) => `${s.lotNumber} × ${s.quantity}`).join(", "),
                  `${n} of ${l.quantity}`,
                  n >= l.quantity ? <Badge tone="success">Complete</Badge> : l.gtin === null ? <Badge tone="warning">No barcode on the product</Badge> : "",
                ];
              })}
            />
            <Box paddingBlockStart="200">
              <Text as="p" tone="subdued">
                Planned by the shop&apos;s allocation strategy over the lot balances on hand now (the pick list&apos;s plan).
              </Text>
            </Box>
          </Card>
        </Layout.Section>
      ) : null}
    </>
  );
}

/** The last answer, large: a packer reads it from arm's length. */
function ScanBanner({ answer }: { answer: Answer }) {
  return (
    <div role={answer.tone === "critical" ? "alert" : "status"} data-scan-answer={answer.tone}>
      <Banner tone={answer.tone}>
        <Text as="p" variant="headingXl">
          {answer.text}
        </Text>
      </Banner>
    </div>
  );
}

export const ErrorBoundary = () => <RouteError title="Pack station" />;
