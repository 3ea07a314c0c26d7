// One msw server answers Shopify for every integration test. It starts before any app code is
// imported (the web-api adapter keeps a reference to fetch at import time). A request without a
// handler fails the test: nothing reaches the real network.
import { afterAll, afterEach, beforeAll } from "vitest";
import { server } from "../helpers/shopify-mock";

server.listen({ onUnhandledRequest: "error" });

beforeAll(() => undefined);
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
