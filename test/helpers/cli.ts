// The CLI in this process, as an operator sees it: what `lotkeeper <argv>` prints on stdout.
// (test/integration/recall-cli.test.ts runs the real binary in a child process instead.)
import { main } from "../../app/cli/main";

/** Runs the command; returns what it printed and what it threw (undefined when it succeeded). */
export async function runCli(argv: string[]): Promise<{ stdout: string; error: unknown }> {
  let stdout = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await main(argv);
    return { stdout, error: undefined };
  } catch (error) {
    return { stdout, error };
  } finally {
    process.stdout.write = write;
  }
}

/** Runs the command and returns its stdout; a CliError or any other error is thrown as is. */
export async function cliOutput(argv: string[]): Promise<string> {
  const { stdout, error } = await runCli(argv);
  if (error !== undefined) throw error;
  return stdout;
}

/** Runs the command and returns the JSON it printed. */
export async function cliJson<T = unknown>(argv: string[]): Promise<T> {
  return JSON.parse(await cliOutput(argv)) as T;
}
