// "Move to another lot": the manual override for one allocation, wherever a page lists allocations.
// Loads the lots it can go to from /app/allocations/:id/move, moves all or part of it there, and
// says what happened (toast and banner); a refusal (not enough units, wrong variant) is a banner and
// nothing changed. The page's loaders revalidate after the move, so its table shows the new lots.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { loader as targetsLoader, action as moveAction } from "../routes/app.allocations.$id.move";
import { useResultToast } from "./action-result";

export function MoveAllocation({ allocationId, openUnits }: { allocationId: string; openUnits: number }) {
  const [open, setOpen] = useState(false);
  const targets = useFetcher<typeof targetsLoader>();
  const move = useFetcher<typeof moveAction>();
  const [lotId, setLotId] = useState("");
  const [quantity, setQuantity] = useState("");
  const path = `/app/allocations/${allocationId}/move`;
  useResultToast(move.data);

  useEffect(() => {
    const first = targets.data?.targets[0]?.lotId;
    if (first && !lotId) setLotId(first);
  }, [targets.data, lotId]);
  useEffect(() => {
    if (move.data?.ok) {
      setOpen(false);
      setQuantity("");
    }
  }, [move.data]);

  const result = move.data ? (
    move.data.ok ? (
      <Banner tone="success" title="Moved">
        {move.data.message}
      </Banner>
    ) : (
      <Banner tone="critical" title="Not moved: nothing changed">
        {move.data.error}
      </Banner>
    )
  ) : null;

  if (!open) {
    return (
      <BlockStack gap="100">
        {result}
        <Button
          size="slim"
          disabled={openUnits < 1}
          onClick={() => {
            setOpen(true);
            targets.load(path); // fresh: balances change as orders ship
          }}
        >
          Move to another lot
        </Button>
      </BlockStack>
    );
  }
  const list = targets.data?.targets ?? [];
  return (
    <BlockStack gap="100">
      {result}
      {!targets.data ? (
        <Text as="span" tone="subdued">
          Loading lots…
        </Text>
      ) : list.length === 0 ? (
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" tone="subdued">
            No other lot of this product has units at this location
          </Text>
          <Button size="slim" variant="plain" onClick={() => setOpen(false)}>
            Close
          </Button>
        </InlineStack>
      ) : (
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <Select
            label="To lot"
            labelHidden
            value={lotId}
            onChange={setLotId}
            options={list.map((t) => ({
              label: `${t.lotNumber}${t.expiresOn ? ` (exp. ${t.expiresOn})` : ""}: ${t.quantity} on hand${t.status === "ACTIVE" ? "" : ` (${t.status.toLowerCase()})`}`,
              value: t.lotId,
            }))}
          />
          <div style={{ width: 80 }}>
            <TextField label="Units" labelHidden placeholder={`all ${openUnits}`} value={quantity} onChange={setQuantity} autoComplete="off" />
          </div>
          <Button loading={move.state !== "idle"} onClick={() => move.submit({ lotId, quantity }, { method: "post", action: path })}>
            Move
          </Button>
          <Button variant="plain" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </InlineStack>
      )}
    </BlockStack>
  );
}
