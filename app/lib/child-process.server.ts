// Stopping a child process the way an operator would: SIGTERM (graceful close of in-flight
// requests and jobs), SIGKILL if it has not exited after the grace period. Used by the demo,
// the preview, the benchmarks and the tests that start real web and worker processes.
import type { ChildProcess } from "node:child_process";

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    timer.unref();
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
