import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext, type HandleErrorFunction } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { log } from "./lib/logger.server";

const ABORT_DELAY = 5000;

/**
 * A loader or action threw something other than a Response: one log line with the stack and cause
 * chain (and, on `npm start`, the request id and the shop). The path only: a query string can hold
 * an id_token or a session.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return; // the browser went away: Remix aborts the loaders
  log.error("request failed", { method: request.method, path: new URL(request.url).pathname, error });
};

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  addDocumentResponseHeaders(request, responseHeaders);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        log.error("page render failed", { path: new URL(request.url).pathname, error });
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}
