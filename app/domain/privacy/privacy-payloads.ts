// The compliance payloads (customers/redact, customers/data_request, shop/redact). Pure.
import { z } from "zod";
import { parsePayloadAs, payloadId as id } from "../webhooks/payload";

const customerRequestSchema = z
  .object({
    customer: z
      .object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() })
      .passthrough()
      .refine((c) => c.id != null || (c.email != null && c.email !== ""), "customer needs an id or an email"),
    orders_to_redact: z.array(id).nullish(),
    orders_requested: z.array(id).nullish(),
    data_request: z.object({ id: id.nullish() }).passthrough().nullish(),
  })
  .passthrough();

export interface CustomerRequest {
  customerId: bigint | null;
  email: string | null;
  phone: string | null;
  /** orders_to_redact or orders_requested. */
  orderIds: bigint[];
  dataRequestId: bigint | null;
}

export function customerRequest(payload: unknown, topic: string): CustomerRequest {
  const p = parsePayloadAs(customerRequestSchema, payload, `a ${topic}`);
  return {
    customerId: p.customer.id ?? null,
    email: p.customer.email ? p.customer.email.trim().toLowerCase() : null,
    phone: p.customer.phone ?? null,
    orderIds: [...(p.orders_to_redact ?? []), ...(p.orders_requested ?? [])],
    dataRequestId: p.data_request?.id ?? null,
  };
}

/** Keys of a stored webhook payload that carry personal data (orders, fulfilments, customers). */
export const PERSONAL_PAYLOAD_KEYS = [
  "customer",
  "email",
  "contact_email",
  "phone",
  "shipping_address",
  "billing_address",
  "destination",
  "client_details",
  "browser_ip",
  "note",
];
