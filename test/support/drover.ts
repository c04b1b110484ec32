// Starting a real drover master for a test: the `drover` command, in a temp folder with its own config
// and run directory, on a free loopback port. Always stopped (and proven gone) by `stop()`, which the
// test registers with `t.after` or calls in `finally`.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StatusReport } from "../../src/status/report.ts";
import { freePort } from "../harness/ports.ts";
import { type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";

export const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface DroverOptions {
  /** Source of the app module (TypeScript), written to app.ts. */
  readonly app: string;
  /** Config fields besides app, listen and runDir (JSON-serialisable). */
  readonly config?: Record<string, unknown>;
  /** Extra files to write in the folder: name → content. */
  readonly files?: Record<string, string>;
  /** Extra arguments for `drover start`. */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Wait for the "is served on" line (default); false returns as soon as the process runs. */
  readonly waitReady?: boolean;
  /** The `drover` command's entry file. Default: this checkout's (CLI). */
  readonly cli?: string;
}

export interface RunningDrover {
  readonly proc: SpawnedProcess;
  readonly dir: TempDir;
  readonly port: number;
  readonly runDir: string;
  /** Rewrites drover.config.json (for reload tests): same app, listen and runDir unless overridden. */
  writeConfig(config: Record<string, unknown>): void;
  /** Runs `drover <args> --run-dir <runDir>` to completion (asynchronously, so this process can reap). */
  cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  status(): Promise<StatusReport>;
  /** GET on loopback with a fresh connection. */
  request(path?: string): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>;
  /** Stops the master (SIGTERM, a graceful stop; SIGKILL after a grace), proves its group gone, removes the folder. */
  stop(): Promise<void>;
}

export async function startDrover(options: DroverOptions): Promise<RunningDrover> {
  const dir = makeTempDir("drover-test-master-");
  const port = await freePort();
  const runDir = join(dir.path, "run");
  const base = { app: "./app.ts", listen: [`127.0.0.1:${port}`], runDir: "./run", logLevel: "info" };
  const writeConfig = (config: Record<string, unknown>) =>
    writeFileSync(join(dir.path, "drover.config.json"), JSON.stringify({ ...base, ...config }, null, 2));
  writeFileSync(join(dir.path, "app.ts"), options.app);
  for (const [name, content] of Object.entries(options.files ?? {}))
    writeFileSync(join(dir.path, name), content);
  writeConfig(options.config ?? {});

  let proc: SpawnedProcess;
  try {
    proc = await spawnNode(options.cli ?? CLI, ["start", ...(options.args ?? [])], {
      cwd: dir.path,
      env: options.env,
      ...(options.waitReady === false ? {} : { ready: /is served on/, readyTimeoutMs: 30_000 }),
    });
  } catch (error) {
    dir.remove();
    throw error;
  }

  const cli = (...args: string[]) => runCli([...args, "--run-dir", runDir], dir.path);

  return {
    proc,
    dir,
    port,
    runDir,
    writeConfig,
    cli,
    status: async () => {
      const result = await cli("status", "--json");
      if (result.status !== 0) throw new Error(`drover status failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as StatusReport;
    },
    request: (path = "/") => httpGet(port, path),
    stop: async () => {
      try {
        await proc.stop();
      } finally {
        dir.remove();
      }
    },
  };
}

/** Runs the drover command to completion; its exit status and output. */
export function runCli(
  args: readonly string[],
  cwd: string,
  /** A command that runs it (`setpriv ...` to run it as another user). */
  prefix: readonly string[] = [],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [command = process.execPath, ...before] = [...prefix, process.execPath];
  return new Promise((resolve) => {
    execFile(
      command,
      [...before, CLI, ...args],
      { cwd, encoding: "utf8", timeout: 150_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** A GET on a fresh connection (no keep-alive agent). */
export function httpGet(
  port: number,
  path = "/",
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = get({ host: "127.0.0.1", port, path, agent: false, timeout: 10_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on("error", reject);
  });
}
