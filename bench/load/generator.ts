// Picks the HTTP load generator: wrk when it is on PATH (or asked for), autocannon from npm otherwise.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { runAutocannon } from "./autocannon.ts";
import type { LoadResult, LoadSpec } from "./result.ts";
import { runWrk } from "./wrk.ts";

export type GeneratorName = "wrk" | "autocannon";

export interface Generator {
  readonly name: GeneratorName;
  run(spec: LoadSpec): Promise<LoadResult>;
}

/** True when a `wrk` binary runs. */
export function wrkAvailable(): boolean {
  const probe = spawnSync("wrk", ["--version"], { stdio: "ignore" });
  return probe.error === undefined;
}

/** "auto" means wrk if installed, else autocannon; asking for wrk without it installed throws. */
export function chooseGenerator(preferred: "auto" | GeneratorName, wrkThreads: number): Generator {
  const useWrk = preferred === "wrk" || (preferred === "auto" && wrkAvailable());
  if (useWrk && !wrkAvailable()) throw new Error("--load wrk: no wrk on PATH (apt-get install wrk)");
  return useWrk
    ? { name: "wrk", run: (spec) => runWrk(spec, wrkThreads) }
    : { name: "autocannon", run: runAutocannon };
}

/** A short description of the generator for the report, e.g. "wrk 4.1.0 [epoll], 1 thread". */
export function describeGenerator(generator: Generator, wrkThreads: number): string {
  if (generator.name === "wrk") {
    const banner = spawnSync("wrk", ["--version"], { encoding: "utf8" }).stdout ?? "";
    const version = banner.match(/^wrk (\S+)/)?.[1] ?? "(unknown version)";
    return `wrk ${version}, ${wrkThreads} thread(s)`;
  }
  const require = createRequire(import.meta.url);
  const { version } = require("autocannon/package.json") as { version: string };
  return `autocannon ${version} (wrk not found on PATH)`;
}
