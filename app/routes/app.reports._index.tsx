// Reports: every report of the registry (app/domain/reports/registry.ts), each on its own page.
import { Link, useLoaderData } from "@remix-run/react";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { adminContext } from "../lib/admin-context.server";
import { REPORTS } from "../domain/reports/registry";
import { RouteError } from "../components/route-error";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await adminContext(request);
  return { reports: REPORTS.map((r) => ({ name: r.name, title: r.title, description: r.description })) };
};

export default function Reports() {
  const { reports } = useLoaderData<typeof loader>();
  return (
    <Page title="Reports">
      <Layout>
        {reports.map((r) => (
          <Layout.Section key={r.name}>
            <Card>
              <BlockStack gap="100">
                <Link to={`/app/reports/${r.name}`}>
                  <Text as="h2" variant="headingMd">
                    {r.title}
                  </Text>
                </Link>
                <Text as="p" tone="subdued">
                  {r.description}
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}

export const ErrorBoundary = () => <RouteError title="Reports" />;
