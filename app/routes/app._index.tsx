import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { shop: session.shop };
};

export default function Home() {
  const { shop } = useLoaderData<typeof loader>();
  return (
    <Page title="Lotkeeper">
      <Card>
        <BlockStack gap="200">
          <Text as="p">Lot tracking for {shop}.</Text>
        </BlockStack>
      </Card>
    </Page>
  );
}
