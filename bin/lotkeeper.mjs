#!/usr/bin/env node
// `npx lotkeeper ...` runs the TypeScript CLI (app/cli/main.ts) through tsx on the project's Node 24.
import { register } from "tsx/esm/api";

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `lotkeeper needs Node 24 or newer (this is ${process.version}); run it as \`npx lotkeeper\` from the project so the pinned Node is used\n`,
  );
  process.exit(1);
}
register();
await import("../app/cli/main.ts");
