import type { Command } from "../command";
import { runDoctor } from "../../lib/doctor.server";
import { CliError } from "../command";

export const doctor: Command = {
  name: "doctor",
  summary: "Check configuration, Postgres, Redis and migrations; say how to fix what is wrong",
  usage: `lotkeeper doctor

Checks, in order: configuration (.env / environment), Postgres reachable, database present,
migrations applied, Redis reachable. Prints {"ok": bool, "checks": [{name, ok, message, fix}]}
and exits 1 when any check fails.`,
  async run() {
    const report = await runDoctor();
    if (!report.ok) {
      process.stdout.write(JSON.stringify(report, null, 2) + "\n");
      const failed = report.checks.find((c) => !c.ok)!;
      throw new CliError(`doctor: ${failed.name} failed: ${failed.message}${failed.fix ? ` (fix: ${failed.fix})` : ""}`);
    }
    return report;
  },
};
