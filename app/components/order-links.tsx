// The orders a customer received a lot in, each opening the order on Trace (its lots, where they
// came from, "Move to another lot"). An order without a name (not seen yet) shows its id.
import { Link } from "@remix-run/react";
import { Fragment } from "react";

export function traceOrderUrl(orderName: string): string {
  return `/app/trace?${new URLSearchParams({ q: orderName, by: "order" }).toString()}`;
}

export function OrderLinks({ orders }: { orders: { orderId: string; orderName: string | null }[] }) {
  const seen = new Map<string, string | null>();
  for (const o of orders) if (!seen.has(o.orderId)) seen.set(o.orderId, o.orderName);
  return (
    <>
      {[...seen].map(([orderId, name], i) => (
        <Fragment key={orderId}>
          {i > 0 ? ", " : ""}
          {name ? <Link to={traceOrderUrl(name)}>{name}</Link> : orderId}
        </Fragment>
      ))}
    </>
  );
}
