// `npx lotkeeper <command>`: the operators' and scripts' interface. JSON on stdout; errors as one
// clear line on stderr with a non-zero exit code; --help on every command.
import { CliError, parse, printJson, type Command } from "./command";
import { commands } from "./registry";
import { exitWithOneLine } from "../lib/fail-fast.server";
import { DomainError } from "../domain/errors";
import { sendAllLogsToStderr } from "../lib/logger.server";

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "lotkeeper: lot tracking and recalls for Shopify (operators' CLI)",
    "",
    "Usage: npx lotkeeper <command> [options]     (every command takes --help)",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    'Output is JSON on stdout. Shopify ids are strings of digits ("4521").',
    "Errors are one line on stderr; the exit code is 1 (2 for a usage error).",
  ].join("\n");
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first: "lots receive" before "lots".
  for (let words = Math.min(3, argv.length); words >= 1; words--) {
    const name = argv.slice(0, words).join(" ");
    const command = commands.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  // stdout is the command's JSON: every log line a command causes goes to stderr.
  sendAllLogsToStderr();
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(topHelp() + "\n");
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(argv[0] + " "));
    if (group.length > 0 && (argv.length === 1 || argv[1] === "--help")) {
      process.stdout.write(`Commands under "${argv[0]}":\n${group.map((c) => `  lotkeeper ${c.name}  ${c.summary}`).join("\n")}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    throw new CliError(`unknown command "${argv.slice(0, 2).join(" ")}" (see lotkeeper --help)`, 2);
  }
  const parsed = parse(found.command, found.rest);
  if (parsed === "help") {
    process.stdout.write(found.command.usage.trim() + "\n");
    return 0;
  }
  let result: unknown;
  try {
    result = await found.command.run(parsed);
  } catch (error) {
    // A domain error's message says what went wrong and what to do: the operator sees it as is.
    if (error instanceof DomainError) throw new CliError(error.message);
    throw error;
  }
  if (result !== undefined) printJson(result);
  return 0;
}

async function shutdown(): Promise<void> {
  try {
    const [{ closeDb }, { closeQueues }] = await Promise.all([import("../db.server"), import("../lib/queues.server")]);
    await Promise.allSettled([closeDb(), closeQueues()]);
  } catch {
    // configuration was invalid: nothing was opened
  }
}

const isEntry = process.argv[1] && /(cli[\\/]main\.ts|lotkeeper(\.mjs)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2))
    .then(async (code) => {
      await shutdown();
      process.exit(code);
    })
    .catch(async (error: unknown) => {
      await shutdown().catch(() => undefined);
      if (error instanceof CliError) exitWithOneLine(error.message, error.exitCode);
      exitWithOneLine(error, 1);
    });
}
