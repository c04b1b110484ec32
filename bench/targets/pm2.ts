// PM2 in cluster mode, as installed from npm: `pm2 start app -i N`. PM2 runs a detached daemon, so it
// gets a PM2_HOME of its own in a temp dir (never the user's ~/.pm2) and is stopped with `pm2 kill`;
// the bench then proves the daemon's whole process group gone and removes the temp dir with its sockets.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isRunning } from "../../src/util/process-alive.ts";
import { stopGroup } from "../../test/harness/process.ts";
import type { RunningTarget, StartSpec, Target } from "./target.ts";

const run = promisify(execFile);
const pm2Bin = join(createRequire(import.meta.url).resolve("pm2/package.json"), "..", "bin", "pm2");
const server = fileURLToPath(new URL("../apps/server.ts", import.meta.url));
const APP_NAME = "drover-bench";

async function pm2(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<string> {
  // process.execPath: the daemon is forked with the CLI's Node, and cluster workers with the daemon's.
  const { stdout, stderr } = await run(process.execPath, [pm2Bin, ...args], { env, timeout: 30_000 });
  return stdout + stderr;
}

async function start(spec: StartSpec): Promise<RunningTarget> {
  const home = mkdtempSync(join(tmpdir(), "drover-bench-pm2-"));
  // PM2 prints a banner and phones a version server on the first run in a fresh home; this file marks the
  // home as used. PM2_DISABLE_VERSION_CHECK stops the daemon's daily check. Nothing leaves loopback.
  writeFileSync(join(home, "touch"), String(Date.now()));
  // PM2 checks the `node` on PATH before it runs a .ts app with type stripping: make that this Node.
  const path = `${dirname(process.execPath)}${delimiter}${spec.env.PATH ?? ""}`;
  const env = { ...spec.env, PATH: path, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: "true" };
  let daemon: number | undefined;
  let log = "";
  let stopping: Promise<void> | undefined;

  const stop = () => {
    stopping ??= (async () => {
      try {
        log += await pm2(env, ["kill"]).catch((error: Error) => `pm2 kill failed: ${error.message}`);
        daemon ??= readDaemonPid(home);
        // The daemon is a group leader (spawned detached) and its cluster workers share its group.
        if (daemon !== undefined) await stopGroup(daemon, 3_000);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    })();
    return stopping;
  };

  try {
    log += await pm2(env, ["start", server, "--name", APP_NAME, "-i", String(spec.workers)]);
    daemon = readDaemonPid(home);
    if (daemon === undefined) throw new Error(`pm2 started no daemon (no ${home}/pm2.pid)`);
  } catch (error) {
    await stop();
    throw new Error(`pm2 start failed: ${(error as Error).message}\n${log}`);
  }
  const pid = daemon;
  // PM2's zero-downtime reload, as its docs promise it: `pm2 reload <app>`.
  const reload = async () => {
    log += await pm2(env, ["reload", APP_NAME]);
  };
  return { workers: spec.workers, isDead: () => !isRunning(pid), output: () => log, stop, reload };
}

function readDaemonPid(home: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(home, "pm2.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const pm2Cluster: Target = {
  id: "pm2",
  label: "PM2 cluster mode",
  description: "PM2 (npm) `pm2 start app -i N`: its daemon runs `node:cluster` (round-robin) workers",
  reloadable: true,
  start,
};
