// The empty state of a list: what is missing and how it gets filled (no remote illustration:
// the panel loads nothing from outside the app).
import { BlockStack, Box, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function EmptyList({ heading, children }: { heading: string; children?: ReactNode }) {
  return (
    <Box padding="600">
      <BlockStack gap="200" inlineAlign="center">
        <Text as="h3" variant="headingMd">
          {heading}
        </Text>
        {children ? (
          <Text as="p" tone="subdued" alignment="center">
            {children}
          </Text>
        ) : null}
      </BlockStack>
    </Box>
  );
}
