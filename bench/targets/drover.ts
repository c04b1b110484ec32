// drover's listener pool: `drover start` with one child per worker, sized so the pool neither grows nor
// shrinks during a run (the spare-worker band is wide), from a config in a temp folder of its own.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startNodeCommand } from "./command.ts";
import type { RunningTarget, StartSpec, Target } from "./target.ts";

const run = promisify(execFile);
const CLI = new URL("../../src/cli/main.ts", import.meta.url);
const APP = new URL("../apps/drover-app.ts", import.meta.url).pathname;
const WORKERS_PER_CHILD = 256;

/** Config fields on top of the bench's sizing: fixed, or made from the run's spec (its worker count). */
export type DroverSettings =
  | Readonly<Record<string, unknown>>
  | ((spec: StartSpec) => Readonly<Record<string, unknown>>);

/** A drover target; `settings` go into its config on top of the bench's sizing; `app` is its app module. */
export function droverTarget(
  id: string,
  label: string,
  description: string,
  settings: DroverSettings = {},
  app: string = APP,
): Target {
  return {
    id,
    label,
    description,
    reloadable: true,
    async start(spec: StartSpec): Promise<RunningTarget> {
      const folder = mkdtempSync(join(tmpdir(), "drover-bench-"));
      const configFile = join(folder, "drover.config.json");
      writeFileSync(
        configFile,
        JSON.stringify({
          app,
          listen: [`127.0.0.1:${spec.port}`],
          startServers: spec.workers,
          workersPerChild: WORKERS_PER_CHILD,
          minSpareWorkers: 1,
          maxSpareWorkers: WORKERS_PER_CHILD * (spec.workers + 1),
          runDir: join(folder, "run"),
          logLevel: "warn",
          ...(typeof settings === "function" ? settings(spec) : settings),
        }),
      );
      const running = await startNodeCommand(spec, CLI, ["start", `--config=${configFile}`], spec.workers);
      return {
        ...running,
        reload: async () => {
          const { stderr } = await run(
            process.execPath,
            [CLI.pathname, "reload", `--run-dir=${join(folder, "run")}`],
            {
              env: spec.env,
              timeout: 60_000,
            },
          );
          if (stderr.trim()) console.warn(`  drover reload: ${stderr.trim()}`);
        },
        stop: async () => {
          try {
            await running.stop();
          } finally {
            rmSync(folder, { recursive: true, force: true });
          }
        },
      };
    },
  };
}

export const droverPool = droverTarget(
  "drover",
  "drover",
  "`drover start`: the master holds the listener, one child per worker accepts on it; full scoreboard",
);

export const droverNoExtendedStatus = droverTarget(
  "drover-basic-status",
  "drover (extendedStatus off)",
  "`drover start` with per-request scoreboard updates off (connection states only)",
  { extendedStatus: false },
);

export const droverNoSlowLane = droverTarget(
  "drover-no-slow-lane",
  "drover (slow lane off)",
  "`drover start` with `slowRequestThreshold: 0`: every request starts as soon as it is read",
  { slowRequestThreshold: 0 },
);
