// Drives load with wrk: `-c` connections for `-d` seconds on `-t` threads, report.lua for percentiles.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadResult, LoadSpec } from "./result.ts";
import { parseWrkOutput } from "./wrk-parse.ts";

const script = fileURLToPath(new URL("./report.lua", import.meta.url));

/** The wrk command line for `spec` (also printed into docs/benchmarks.md). */
export function wrkArgs(spec: LoadSpec, threads: number): string[] {
  const args = [
    `-t${Math.min(threads, spec.connections)}`,
    `-c${spec.connections}`,
    `-d${spec.durationSeconds}s`,
    `--timeout=${spec.timeoutSeconds}s`,
    "--latency",
    "-s",
    script,
  ];
  if (spec.newConnectionPerRequest) args.push("-H", "Connection: close");
  return [...args, spec.url];
}

/** Runs wrk once and parses its result. */
export function runWrk(spec: LoadSpec, threads: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "wrk",
      wrkArgs(spec, threads),
      // wrk stops by itself after -d; the timeout only guards against a wedged run.
      { timeout: (spec.durationSeconds + 30) * 1000, signal: spec.signal, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`wrk failed: ${error.message}\n${stdout}${stderr}`));
        else {
          try {
            resolve(parseWrkOutput(stdout));
          } catch (parseError) {
            reject(parseError);
          }
        }
      },
    );
  });
}
