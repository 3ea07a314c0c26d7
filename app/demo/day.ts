// A realistic day of the demo store, as data: the lots received in the morning, a production run,
// and the webhooks Shopify would send as customers order and the team ships, cancels and takes
// returns. Pure (no I/O): the orchestrator (main.ts) delivers it and mirrors Shopify's own stock
// changes in the simulator.
import { LOCATIONS, variantBySku } from "./store";

export interface DemoLot {
  sku: string;
  lotNumber: string;
  quantity: number;
  location: (typeof LOCATIONS)[number]["id"];
  expiresInDays: number;
  supplier: string;
  supplierLot: string;
  purchaseOrder: string;
  unitCost: string;
}

const [BERLIN, MUNICH, HAMBURG] = [LOCATIONS[0].id, LOCATIONS[1].id, LOCATIONS[2].id];

export const MORNING_LOTS: DemoLot[] = [
  {
    sku: "OAT-1L",
    lotNumber: "OAT-2611A",
    quantity: 40,
    location: BERLIN,
    expiresInDays: 20,
    supplier: "Haferhof",
    supplierLot: "HH-88121",
    purchaseOrder: "PO-7001",
    unitCost: "0.95",
  },
  {
    sku: "OAT-1L",
    lotNumber: "OAT-2611B",
    quantity: 60,
    location: BERLIN,
    expiresInDays: 90,
    supplier: "Haferhof",
    supplierLot: "HH-88140",
    purchaseOrder: "PO-7001",
    unitCost: "0.95",
  },
  {
    sku: "OAT-1L",
    lotNumber: "OAT-2611C",
    quantity: 20,
    location: MUNICH,
    expiresInDays: 60,
    supplier: "Haferhof",
    supplierLot: "HH-88140",
    purchaseOrder: "PO-7002",
    unitCost: "0.97",
  },
  {
    sku: "YOG-500",
    lotNumber: "YOG-4471",
    quantity: 30,
    location: BERLIN,
    expiresInDays: 12,
    supplier: "Alpenmilch",
    supplierLot: "AM-4471",
    purchaseOrder: "PO-7003",
    unitCost: "1.40",
  },
  {
    sku: "YOG-500",
    lotNumber: "YOG-4480",
    quantity: 30,
    location: HAMBURG,
    expiresInDays: 25,
    supplier: "Alpenmilch",
    supplierLot: "AM-4480",
    purchaseOrder: "PO-7004",
    unitCost: "1.40",
  },
  {
    sku: "GRAN-400",
    lotNumber: "GRAN-0925",
    quantity: 50,
    location: BERLIN,
    expiresInDays: 200,
    supplier: "Kornkammer",
    supplierLot: "KK-0925-7",
    purchaseOrder: "PO-7005",
    unitCost: "2.10",
  },
  {
    sku: "D3-10",
    lotNumber: "D3-A113",
    quantity: 25,
    location: BERLIN,
    expiresInDays: 400,
    supplier: "Sonnenwerk",
    supplierLot: "SW-A113",
    purchaseOrder: "PO-7006",
    unitCost: "3.20",
  },
  {
    sku: "D3-30",
    lotNumber: "D3-B220",
    quantity: 15,
    location: MUNICH,
    expiresInDays: 500,
    supplier: "Sonnenwerk",
    supplierLot: "SW-B220",
    purchaseOrder: "PO-7006",
    unitCost: "6.80",
  },
];

/** The kit made in the morning: 10 breakfast boxes from oat milk and granola. */
export const PRODUCTION_RUN = {
  kind: "KIT" as const,
  outputSku: "BOX-BREAKFAST",
  outputLotNumber: "BOX-2611",
  quantity: 10,
  location: BERLIN,
  inputs: [
    { lotNumber: "OAT-2611B", sku: "OAT-1L", quantity: 10 },
    { lotNumber: "GRAN-0925", sku: "GRAN-400", quantity: 10 },
  ],
};

/** The lot the supplier calls back at the end of the day (and, through the kit, the boxes). */
export const RECALLED_LOT = "GRAN-0925";
export const RECALL_REASON = "Supplier Kornkammer reports possible Salmonella in oats batch KK-0925-7";

export interface Customer {
  id: number | null;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  city: string;
}

export const CUSTOMERS: Record<string, Customer> = {
  anna: { id: 7300000000001, firstName: "Anna", lastName: "Schmidt", email: "anna.schmidt@example.com", phone: "+49 30 5550101", city: "Berlin" },
  ben: { id: 7300000000002, firstName: "Ben", lastName: "Müller", email: "ben.mueller@example.com", phone: "+49 89 5550102", city: "München" },
  clara: { id: 7300000000003, firstName: "Clara", lastName: "Weber", email: "clara.weber@example.com", phone: "+49 40 5550103", city: "Hamburg" },
  david: { id: 7300000000004, firstName: "David", lastName: "Fischer", email: "david.fischer@example.com", phone: "+49 221 5550104", city: "Köln" },
  eva: { id: null, firstName: "Eva", lastName: "Wagner", email: "eva.wagner@example.com", phone: "+49 69 5550105", city: "Frankfurt" },
  felix: { id: 7300000000006, firstName: "Felix", lastName: "Becker", email: "felix.becker@example.com", phone: "+49 711 5550106", city: "Stuttgart" },
  greta: { id: 7300000000007, firstName: "Greta", lastName: "Hoffmann", email: "greta.hoffmann@example.com", phone: "+49 351 5550107", city: "Dresden" },
  hannah: { id: 7300000000008, firstName: "Hannah", lastName: "Schulz", email: "hannah.schulz@example.com", phone: "+49 511 5550108", city: "Hannover" },
};

/** Who must be contacted when GRAN-0925 is recalled: granola buyers and breakfast-box buyers. */
export const EXPECTED_RECALL_CUSTOMERS = ["Anna Schmidt", "Ben Müller", "David Fischer", "Eva Wagner", "Greta Hoffmann"];

export interface DemoOrder {
  id: number;
  name: string;
  customer: Customer;
  lines: { id: number; sku: string; quantity: number }[];
}

/** An order of the demo store: number n (#1000+n), a customer, [sku, quantity] lines. */
export function order(n: number, who: keyof typeof CUSTOMERS, lines: [string, number][]): DemoOrder {
  const id = 6100000000000 + n;
  return { id, name: `#${1000 + n}`, customer: CUSTOMERS[who]!, lines: lines.map(([sku, quantity], i) => ({ id: id * 10 + i + 1, sku, quantity })) };
}

export const ORDERS: DemoOrder[] = [
  order(1, "anna", [
    ["OAT-1L", 2],
    ["GRAN-400", 1],
  ]),
  order(2, "ben", [["BOX-BREAKFAST", 1]]),
  order(3, "clara", [
    ["YOG-500", 3],
    ["D3-10", 1],
  ]),
  order(4, "david", [["GRAN-400", 2]]),
  order(5, "eva", [
    ["BOX-BREAKFAST", 1],
    ["OAT-1L", 1],
  ]),
  order(6, "felix", [["OAT-1L", 45]]),
  order(7, "greta", [["GRAN-400", 2]]),
  order(8, "hannah", [
    ["YOG-500", 5],
    ["D3-30", 1],
  ]),
];

/** One step of the day, in delivery order. */
export type DayEvent =
  | { kind: "webhook"; label: string; topic: string; body: Record<string, unknown>; webhookId?: string; stock?: StockChange[] }
  | { kind: "duplicate"; label: string; of: string }
  | { kind: "shopify-edit"; label: string; stock: StockChange[] }
  | { kind: "settle"; label: string };

/** A change Shopify makes to its own stock (a fulfilment takes units, a return restocks). */
export interface StockChange {
  sku: string;
  location: string;
  delta: number;
}

/** orders/create (or orders/updated) body as Shopify sends it. */
export function orderPayload(o: DemoOrder, at: Date, extra: Record<string, unknown> = {}) {
  const c = o.customer;
  const address = {
    name: `${c.firstName} ${c.lastName}`,
    first_name: c.firstName,
    last_name: c.lastName,
    address1: "Hauptstraße 1",
    city: c.city,
    zip: "10115",
    country: "Germany",
    country_code: "DE",
    phone: c.phone,
  };
  return {
    id: o.id,
    admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
    name: o.name,
    email: c.email,
    contact_email: c.email,
    phone: null,
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
    processed_at: at.toISOString(),
    cancelled_at: null,
    currency: "EUR",
    financial_status: "paid",
    fulfillment_status: null,
    customer: c.id === null ? null : { id: c.id, email: c.email, first_name: c.firstName, last_name: c.lastName, phone: c.phone },
    shipping_address: address,
    billing_address: address,
    line_items: o.lines.map((l) => {
      const v = variantBySku(l.sku);
      return {
        id: l.id,
        admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
        variant_id: Number(v.id),
        product_id: Number(v.productId),
        sku: l.sku,
        title: v.productTitle,
        variant_title: v.title === "Default Title" ? null : v.title,
        name: v.productTitle,
        price: v.price,
        quantity: l.quantity,
        current_quantity: l.quantity,
        fulfillable_quantity: l.quantity,
        fulfillment_status: null,
      };
    }),
    fulfillments: [],
    refunds: [],
    ...extra,
  };
}

/** fulfillments/create body: [line index, quantity] pairs shipped from `location`. */
export function fulfilment(o: DemoOrder, seq: number, location: string, lines: [number, number][], at: Date, status = "success") {
  const id = o.id * 100 + seq;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${id}`,
    order_id: o.id,
    name: `${o.name}.${seq}`,
    status,
    location_id: Number(location),
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
    tracking_company: "DHL",
    tracking_number: `00340434${id}`.slice(0, 20),
    line_items: lines.map(([index, quantity]) => {
      const line = o.lines[index]!;
      const v = variantBySku(line.sku);
      return {
        id: line.id,
        variant_id: Number(v.id),
        product_id: Number(v.productId),
        sku: line.sku,
        title: v.productTitle,
        quantity,
        fulfillment_status: "fulfilled",
      };
    }),
  };
}

const take = (o: DemoOrder, location: string, lines: [number, number][]): StockChange[] =>
  lines.map(([i, q]) => ({ sku: o.lines[i]!.sku, location, delta: -q }));

/** The day's deliveries. `start` is the morning; events are spread over the day. */
export function dayEvents(start: Date): DayEvent[] {
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const [o1, o2, o3, o4, o5, o6, o7, o8] = ORDERS as [DemoOrder, DemoOrder, DemoOrder, DemoOrder, DemoOrder, DemoOrder, DemoOrder, DemoOrder];
  const f1 = fulfilment(
    o1,
    1,
    BERLIN,
    [
      [0, 2],
      [1, 1],
    ],
    at(75),
  );
  const f4 = fulfilment(o4, 1, BERLIN, [[0, 2]], at(170));
  const o2Newer = orderPayload(o2, at(300), { note: "Leave at the door", updated_at: at(300).toISOString() });
  const o2Older = orderPayload(o2, at(65), { note: null, updated_at: at(65).toISOString() });
  return [
    { kind: "webhook", label: `order ${o1.name} (Anna Schmidt)`, topic: "orders/create", body: orderPayload(o1, at(60)) },
    { kind: "webhook", label: `order ${o2.name} (Ben Müller)`, topic: "orders/create", body: orderPayload(o2, at(62)) },
    {
      kind: "webhook",
      label: `fulfilment ${f1.name} from Berlin`,
      topic: "fulfillments/create",
      body: f1,
      webhookId: "demo-f1001-1",
      stock: take(o1, BERLIN, [
        [0, 2],
        [1, 1],
      ]),
    },
    { kind: "duplicate", label: `fulfilment ${f1.name} delivered again (same webhook id)`, of: "demo-f1001-1" },
    {
      kind: "webhook",
      label: `fulfilment ${f1.name} again through fulfillments/update (new webhook id)`,
      topic: "fulfillments/update",
      body: { ...f1, updated_at: at(76).toISOString() },
    },
    { kind: "webhook", label: `order ${o3.name} (Clara Weber)`, topic: "orders/create", body: orderPayload(o3, at(95)) },
    {
      kind: "webhook",
      label: `fulfilment ${o3.name}.1: yogurt from Berlin (split order)`,
      topic: "fulfillments/create",
      body: fulfilment(o3, 1, BERLIN, [[0, 3]], at(110)),
      stock: take(o3, BERLIN, [[0, 3]]),
    },
    {
      kind: "webhook",
      label: `fulfilment ${o2.name}.1: breakfast box`,
      topic: "fulfillments/create",
      body: fulfilment(o2, 1, BERLIN, [[0, 1]], at(120)),
      stock: take(o2, BERLIN, [[0, 1]]),
    },
    { kind: "webhook", label: `order ${o4.name} (David Fischer)`, topic: "orders/create", body: orderPayload(o4, at(150)) },
    { kind: "webhook", label: `fulfilment ${f4.name}`, topic: "fulfillments/create", body: f4, stock: take(o4, BERLIN, [[0, 2]]) },
    // The parcel is cancelled a quarter of an hour later. Without this pause the workers may take the
    // cancellation first; the older "success" is then ignored and nothing is allocated, which is also
    // correct, but the demo is here to show a reversal.
    { kind: "settle", label: `allocating fulfilment ${f4.name} before it is cancelled` },
    {
      kind: "webhook",
      label: `fulfilment ${f4.name} cancelled (wrong parcel)`,
      topic: "fulfillments/update",
      body: { ...f4, status: "cancelled", updated_at: at(185).toISOString() },
      stock: take(o4, BERLIN, [[0, -2]]),
    },
    {
      kind: "webhook",
      label: `fulfilment ${o4.name}.2 (shipped again)`,
      topic: "fulfillments/create",
      body: fulfilment(o4, 2, BERLIN, [[0, 2]], at(200)),
      stock: take(o4, BERLIN, [[0, 2]]),
    },
    { kind: "webhook", label: `order ${o5.name} (Eva Wagner, guest checkout)`, topic: "orders/create", body: orderPayload(o5, at(210)) },
    {
      kind: "webhook",
      label: `fulfilment ${o5.name}.1: box from Berlin`,
      topic: "fulfillments/create",
      body: fulfilment(o5, 1, BERLIN, [[0, 1]], at(230)),
      stock: take(o5, BERLIN, [[0, 1]]),
    },
    {
      kind: "webhook",
      label: `fulfilment ${o5.name}.2: oat milk from Munich`,
      topic: "fulfillments/create",
      body: fulfilment(o5, 2, MUNICH, [[1, 1]], at(232)),
      stock: take(o5, MUNICH, [[1, 1]]),
    },
    { kind: "webhook", label: `order ${o2.name} updated (note added)`, topic: "orders/updated", body: o2Newer },
    { kind: "webhook", label: `order ${o2.name}: an older update arrives late`, topic: "orders/updated", body: o2Older },
    {
      kind: "webhook",
      label: `fulfilment ${o6.name}.1 arrives before its order (45 oat milk: split across lots)`,
      topic: "fulfillments/create",
      body: fulfilment(o6, 1, BERLIN, [[0, 45]], at(320)),
      stock: take(o6, BERLIN, [[0, 45]]),
    },
    { kind: "webhook", label: `order ${o6.name} (Felix Becker)`, topic: "orders/create", body: orderPayload(o6, at(310)) },
    { kind: "webhook", label: `order ${o7.name} (Greta Hoffmann)`, topic: "orders/create", body: orderPayload(o7, at(340)) },
    {
      kind: "webhook",
      label: `fulfilment ${o7.name}.1`,
      topic: "fulfillments/create",
      body: fulfilment(o7, 1, BERLIN, [[0, 2]], at(360)),
      stock: take(o7, BERLIN, [[0, 2]]),
    },
    {
      kind: "webhook",
      label: `fulfilment ${o3.name}.2: vitamin D3 (the rest of the split order)`,
      topic: "fulfillments/create",
      body: fulfilment(o3, 2, BERLIN, [[1, 1]], at(380)),
      stock: take(o3, BERLIN, [[1, 1]]),
    },
    { kind: "webhook", label: `order ${o8.name} (Hannah Schulz)`, topic: "orders/create", body: orderPayload(o8, at(400)) },
    {
      kind: "webhook",
      label: `fulfilment ${o8.name}.1 from Hamburg (no D3 lot there: unknown lot)`,
      topic: "fulfillments/create",
      body: fulfilment(
        o8,
        1,
        HAMBURG,
        [
          [0, 5],
          [1, 1],
        ],
        at(420),
      ),
      stock: [{ sku: "YOG-500", location: HAMBURG, delta: -5 }],
    },
    {
      kind: "webhook",
      label: `refund on ${o7.name}: 1 granola returned to Berlin`,
      topic: "refunds/create",
      body: {
        id: 9900000000007,
        order_id: o7.id,
        created_at: at(480).toISOString(),
        processed_at: at(480).toISOString(),
        note: "Package damaged",
        restock: true,
        refund_line_items: [
          {
            id: 9910000000007,
            line_item_id: o7.lines[0]!.id,
            location_id: Number(BERLIN),
            quantity: 1,
            restock_type: "return",
            subtotal: 4.99,
            total_tax: 0.33,
            line_item: { id: o7.lines[0]!.id, variant_id: Number(variantBySku("GRAN-400").id), sku: "GRAN-400", quantity: 2 },
          },
        ],
      },
      stock: [{ sku: "GRAN-400", location: BERLIN, delta: 1 }],
    },
    { kind: "settle", label: "waiting for the workers to process everything" },
    {
      kind: "shopify-edit",
      label: "a colleague adds 12 vitamin D3 10 ml in Hamburg directly in Shopify",
      stock: [{ sku: "D3-10", location: HAMBURG, delta: 12 }],
    },
  ];
}
