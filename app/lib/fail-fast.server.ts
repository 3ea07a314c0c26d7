// Process entry points (web, worker, CLI) report start-up problems as one line and exit non-zero.
import { ConfigError } from "../env.server";
import { ServiceUnavailableError } from "./services.server";

export function exitWithOneLine(error: unknown, code = 1): never {
  const message =
    error instanceof ConfigError || error instanceof ServiceUnavailableError
      ? error.message
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  process.stderr.write(message.split("\n")[0] + "\n");
  process.exit(code);
}
