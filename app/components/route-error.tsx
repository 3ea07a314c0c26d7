// The error state of every embedded page: what went wrong, in words, with a way back. A missing
// record (404, including another shop's id typed into the URL) reads as "not found".
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Page, Text } from "@shopify/polaris";

export function RouteError({ title = "Something went wrong" }: { title?: string }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title="Not found" backAction={{ content: "Home", url: "/app" }}>
        <Banner tone="warning" title="Not found">
          <p>
            {typeof error.data === "string" && error.data !== "Not found"
              ? error.data
              : "There is nothing here for this shop. It may have been removed, or the link belongs to another store."}
          </p>
        </Banner>
      </Page>
    );
  }
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${typeof error.data === "string" ? error.data : error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <Page title={title} backAction={{ content: "Home", url: "/app" }}>
      <Banner tone="critical" title="This page could not be loaded">
        <BlockStack gap="200">
          <Text as="p">{message}</Text>
          <Text as="p">
            Try again in a moment. If it keeps failing, the app's operator can check its database and worker with <code>npx lotkeeper doctor</code>.
          </Text>
          <div>
            <Button onClick={() => window.location.reload()}>Reload</Button>
          </div>
        </BlockStack>
      </Banner>
    </Page>
  );
}
