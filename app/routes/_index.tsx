// Shopify opens the app at the app URL with ?shop=...&host=...: send it on to the embedded pages.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response("Lotkeeper: lot tracking and recalls for Shopify. Install it from the Shopify admin.", {
    headers: { "Content-Type": "text/plain" },
  });
};
