// A real drover master running services only (no app, no listener), in a temp folder with its own
// run directory, and the client that reaches it. Stopped (its group proven gone) by `stop()`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, connect } from "../../src/client/index.ts";
import type { StatusReport } from "../../src/status/report.ts";
import { type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { makeTempDir, type TempDir } from "../harness/temp.ts";
import { CLI, runCli } from "./drover.ts";

export const MATH_SERVICE = fileURLToPath(new URL("../dispatch/fixtures/math.ts", import.meta.url));

export interface ServicesOptions {
  /** Fields of the "math" service besides name and module. */
  readonly math?: Record<string, unknown>;
  /** Top-level config fields. */
  readonly config?: Record<string, unknown>;
  readonly env?: NodeJS.ProcessEnv;
  /** The output line that says the master is ready (default: its "is served on" line). */
  readonly ready?: RegExp;
}

export interface RunningServices {
  readonly proc: SpawnedProcess;
  readonly dir: TempDir;
  readonly runDir: string;
  /** Where the fixture's methods and session hooks write their marks. */
  readonly marks: string;
  /** The config's math service fields, as written (for a reload that changes them). */
  writeConfig(math: Record<string, unknown>, config?: Record<string, unknown>): void;
  /** A client connected to the master (closed by stop()). */
  client(): Promise<Client>;
  cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  status(): Promise<StatusReport>;
  stop(): Promise<void>;
}

export async function startServices(options: ServicesOptions = {}): Promise<RunningServices> {
  const dir = makeTempDir("drover-test-services-");
  const runDir = join(dir.path, "run");
  const marks = join(dir.path, "marks");
  mkdirSync(marks);
  const writeConfig = (
    math: Record<string, unknown>,
    config: Record<string, unknown> = options.config ?? {},
  ) =>
    writeFileSync(
      join(dir.path, "drover.config.json"),
      JSON.stringify(
        {
          runDir: "./run",
          logLevel: "info",
          ...config,
          services: [{ name: "math", module: MATH_SERVICE, ...math }],
        },
        null,
        2,
      ),
    );
  writeConfig(options.math ?? {});
  let proc: SpawnedProcess;
  try {
    proc = await spawnNode(CLI, ["start"], {
      cwd: dir.path,
      env: { ...options.env, SERVICE_MARKS: marks },
      ready: options.ready ?? /is served on/,
      readyTimeoutMs: 30_000,
    });
  } catch (error) {
    dir.remove();
    throw error;
  }
  const clients: Client[] = [];
  const cli = (...args: string[]) => runCli([...args, "--run-dir", runDir], dir.path);
  return {
    proc,
    dir,
    runDir,
    marks,
    writeConfig,
    client: async () => {
      const client = await connect({ runDir });
      clients.push(client);
      return client;
    },
    cli,
    status: async () => {
      const result = await cli("status", "--json");
      if (result.status !== 0) throw new Error(`drover status failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as StatusReport;
    },
    stop: async () => {
      try {
        for (const client of clients) client.close();
        await proc.stop();
      } finally {
        dir.remove();
      }
    },
  };
}
