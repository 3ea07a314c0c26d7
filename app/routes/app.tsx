// Layout of every embedded page: authenticates the admin session, provides App Bridge and Polaris.
// In the preview (npm run preview) App Bridge is the local stand-in named by LOTKEEPER_APP_BRIDGE_URL.
import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { Card, Layout, SkeletonBodyText, SkeletonDisplayText, SkeletonPage } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return { apiKey: env().SHOPIFY_API_KEY, appBridgeUrl: process.env.LOTKEEPER_APP_BRIDGE_URL ?? null };
};

function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === "idle") return null;
  return (
    <div
      role="progressbar"
      aria-label="Loading"
      style={{ position: "fixed", top: 0, left: 0, right: 0, height: 3, background: "var(--p-color-bg-fill-brand, #303030)", zIndex: 1000 }}
    />
  );
}

/** The loading state of every page: while another page's data loads, its skeleton shows. */
function PageOrSkeleton() {
  const navigation = useNavigation();
  const location = useLocation();
  if (navigation.state === "loading" && navigation.location.pathname !== location.pathname) {
    return (
      <SkeletonPage primaryAction>
        <Layout>
          <Layout.Section>
            <Card>
              <SkeletonDisplayText size="small" />
              <div style={{ marginTop: 16 }}>
                <SkeletonBodyText lines={6} />
              </div>
            </Card>
          </Layout.Section>
        </Layout>
      </SkeletonPage>
    );
  }
  return <Outlet />;
}

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/lots">Lots</Link>
        <Link to="/app/receive">Receive</Link>
        <Link to="/app/recalls">Recalls</Link>
        <Link to="/app/trace">Trace</Link>
        <Link to="/app/pick-list">Pick list</Link>
        <Link to="/app/pack">Pack station</Link>
        <Link to="/app/review">Review</Link>
        <Link to="/app/reports">Reports</Link>
        <Link to="/app/tasks">Tasks</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <NavigationProgress />
      <PageOrSkeleton />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
