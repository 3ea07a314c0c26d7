import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" },
  plugins: [
    remix({
      // The preview and the demo build into build-preview/ (docs/decisions/090): `npm start`'s build/ stays as built.
      buildDirectory: process.env.LOTKEEPER_BUILD_DIRECTORY ?? "build",
      ignoredRouteFiles: ["**/.*", "**/*.test.ts"],
      future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: true, v3_singleFetch: false },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
});
