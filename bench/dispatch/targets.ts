// What the dispatch bench compares: drover's dispatch pool and its peers, each a process (group) that
// takes calls on a Unix socket in drover's frames, started in a folder of its own and stopped (its
// process group proven gone, its folder removed) by stop().
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SpawnedProcess, spawnNode } from "../../test/harness/process.ts";

export interface StartSpec {
  /** Drones, threads or worker processes. */
  readonly workers: number;
  /** The folder the target's own folder is made in. */
  readonly parentDir: string;
  /** Added to this process's environment for everything the target starts (the bench's marker). */
  readonly env: NodeJS.ProcessEnv;
}

export interface RunningTarget {
  /** The socket it takes calls on. */
  readonly socket: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DispatchTarget {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** It answers every call with the call's params (the echo floor), not with the method's result. */
  readonly echoes: boolean;
  start(spec: StartSpec): Promise<RunningTarget>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here("../../src/cli/main.ts");
const SERVICE = here("./service.ts");

/**
 * Runs `start` on a fresh folder (named short: drover's socket path must fit in 107 bytes); the folder
 * goes with the process, or at once if it fails to start.
 */
export async function inFolder(
  id: string,
  parentDir: string,
  start: (folder: string) => Promise<{ proc: SpawnedProcess; socket: string }>,
): Promise<RunningTarget> {
  const folder = mkdtempSync(join(parentDir, `${id}-`));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  let started: { proc: SpawnedProcess; socket: string };
  try {
    started = await start(folder);
  } catch (error) {
    remove();
    throw error;
  }
  const { proc, socket } = started;
  return {
    socket,
    pid: proc.pid,
    stop: async () => {
      try {
        await proc.stop();
      } finally {
        remove();
      }
    },
  };
}

/** `drover start` with one service of `workers` drones; `service` fields on top of that. */
function droverTarget(
  id: string,
  label: string,
  description: string,
  service: Record<string, unknown> = {},
): DispatchTarget {
  return {
    id,
    label,
    description,
    echoes: false,
    start: ({ workers, parentDir, env }) =>
      inFolder("drover", parentDir, async (folder) => {
        const config = join(folder, "drover.config.json");
        const services = [
          { name: "bench", module: SERVICE, minDrones: workers, maxDrones: workers, ...service },
        ];
        writeFileSync(config, JSON.stringify({ runDir: "./run", logLevel: "warn", services }));
        const proc = await spawnNode(CLI, ["start", `--config=${config}`], {
          env,
          cwd: folder,
          ready: /is served on/,
          readyTimeoutMs: 30_000,
        });
        return { proc, socket: join(folder, "run", "dispatch.sock") };
      }),
  };
}

const drover = droverTarget(
  "drover",
  "drover",
  "`drover start` with one service of `minDrones` = `maxDrones` = workers, defaults otherwise (one call " +
    "per drone at a time); the client (`drover/client`) → `dispatch.sock` → master → the drone's pipe → " +
    "drone process → back",
);

const DRONE_CONCURRENCY = 8;
const droverConcurrent = droverTarget(
  "drover-concurrent",
  `drover, droneConcurrency ${DRONE_CONCURRENCY}`,
  `the same with \`droneConcurrency: ${DRONE_CONCURRENCY}\`: a drone takes up to ${DRONE_CONCURRENCY} calls at once, ` +
    "so the master can hand it the next before it has answered the last",
  { droneConcurrency: DRONE_CONCURRENCY },
);

function peer(
  id: string,
  label: string,
  description: string,
  script: string,
  echoes = false,
): DispatchTarget {
  return {
    id,
    label,
    description,
    echoes,
    start: ({ workers, parentDir, env }) =>
      inFolder(id, parentDir, async (folder) => {
        const socket = join(folder, "peer.sock");
        const proc = await spawnNode(here(script), [socket], {
          env: { ...env, BENCH_WORKERS: String(workers) },
          ready: /listening on/,
          readyTimeoutMs: 30_000,
        });
        return { proc, socket };
      }),
  };
}

const piscina = peer(
  "piscina",
  "piscina behind a socket",
  "a server process takes each call on a Unix socket (drover's frames) and runs it in a piscina 5 worker " +
    "thread (min = max = workers, defaults otherwise), answering on the socket",
  "./peers/piscina-server.ts",
);

const workerpool = peer(
  "workerpool",
  "workerpool (process) behind a socket",
  'the same server with workerpool 10, `workerType: "process"` (min = max = workers): each call goes to a ' +
    "forked worker process over Node IPC",
  "./peers/workerpool-server.ts",
);

const echo = peer(
  "echo",
  "bare Unix-socket echo",
  "a server that sends each frame straight back (only its kind byte changed): the socket round trip and the " +
    "client's own work, the floor",
  "./peers/echo-server.ts",
  true,
);

const relay = peer(
  "relay",
  "bare relay through a process",
  "drover's design with nothing else: a process passes each whole frame over a socketpair to one child " +
    "process, which sends it straight back (kind byte changed), and relays the answer; no parsing, no timers",
  "./peers/relay-server.ts",
  true,
);

export const dispatchTargets: readonly DispatchTarget[] = [
  drover,
  droverConcurrent,
  piscina,
  workerpool,
  relay,
  echo,
];

export function dispatchTarget(id: string): DispatchTarget {
  const target = dispatchTargets.find((known) => known.id === id);
  if (!target)
    throw new Error(`no dispatch target ${id}: one of ${dispatchTargets.map((t) => t.id).join(", ")}`);
  return target;
}
