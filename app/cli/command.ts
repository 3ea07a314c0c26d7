// The shape of a CLI command and the helpers every command shares: argument parsing with
// --help, JSON on stdout, one-line errors on stderr.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { stringify } from "../lib/json";

export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, 2);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Command {
  /** Words after `lotkeeper`, e.g. "lots receive". */
  name: string;
  summary: string;
  /** Full usage text printed by --help. */
  usage: string;
  options?: Options;
  run(args: ParsedArgs): Promise<unknown>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(command: Command, argv: string[]): ParsedArgs | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const options = command.options ?? {};
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeNumbers(argv, options), options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see lotkeeper ${command.name} --help)`);
  }
}

/**
 * node's parseArgs reads "-3" after "--delta" as an option of its own; an operator means the number.
 * A string option followed by a negative number becomes "--delta=-3".
 */
function joinNegativeNumbers(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name && options[name]?.type === "string" && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function requireString(args: ParsedArgs, name: string): string {
  const value = args.values[name];
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${name} is required`);
  return value.trim();
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** --limit as a whole number from 1 to `max` (any positive one without `max`), or undefined when absent. */
export function optionalLimit(args: ParsedArgs, max?: number): number | undefined {
  if (typeof args.values.limit !== "string") return undefined;
  const limit = Number(args.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || (max !== undefined && limit > max)) {
    throw new UsageError(max === undefined ? "--limit must be a positive whole number" : `--limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}

export function printJson(value: unknown): void {
  process.stdout.write(stringify(value) + "\n");
}
