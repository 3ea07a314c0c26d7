// "Print label" on the lot page: the size of the label stock, copies and which barcodes, then the
// PDF downloaded with the session token (app.lots.$id.label.ts). A lot GS1 cannot label (no
// GTIN, a lot number outside AI (10)) shows why instead of a button that would fail.
import { BlockStack, Card, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { DownloadButton } from "./download-button";

const SIZES = [
  { label: "4 x 6 in (thermal, one a page)", value: "4x6" },
  { label: "2.25 x 1.25 in (small thermal)", value: "2.25x1.25" },
  { label: "A4 sheet, 8 labels (99.1 x 67.7 mm)", value: "a4" },
];

export function LotLabelCard({ lotId, refusal }: { lotId: string; refusal: string | null }) {
  const [size, setSize] = useState("4x6");
  const [copies, setCopies] = useState("1");
  const [symbology, setSymbology] = useState("both");
  const small = size === "2.25x1.25";
  // The small label has room for one barcode: DataMatrix unless GS1-128 is chosen.
  const chosen = small && symbology === "both" ? "datamatrix" : symbology;
  const symbologies = [
    ...(small ? [] : [{ label: "GS1-128 and GS1 DataMatrix", value: "both" }]),
    { label: "GS1 DataMatrix", value: "datamatrix" },
    { label: "GS1-128", value: "gs1-128" },
  ];
  const copiesOk = /^\d+$/.test(copies) && Number(copies) >= 1 && Number(copies) <= 500;
  const url = `/app/lots/${lotId}/label?size=${encodeURIComponent(size)}&copies=${encodeURIComponent(copies)}&symbology=${encodeURIComponent(chosen)}`;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Labels
        </Text>
        {refusal ? (
          <Text as="p" tone="subdued">
            {refusal}
          </Text>
        ) : (
          <>
            <Select label="Label size" options={SIZES} value={size} onChange={setSize} />
            <Select label="Barcodes" options={symbologies} value={chosen} onChange={setSymbology} />
            <TextField
              label="Copies"
              type="number"
              autoComplete="off"
              min={1}
              max={500}
              value={copies}
              onChange={setCopies}
              error={copiesOk ? undefined : "1 to 500"}
            />
            {copiesOk ? <DownloadButton url={url}>Print label</DownloadButton> : null}
          </>
        )}
      </BlockStack>
    </Card>
  );
}
