// What the NATS bench compares, each on a subject of its own on one nats-server: drover masters
// serving the bench service over NATS (`transport: { nats }`), and bare responders subscribed
// directly (peers/). Each is a process group started in a folder of its own; stop() closes its
// caller, ends the group (proven gone) and removes the folder.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SpawnedProcess, spawnNode } from "../../test/harness/process.ts";
import type { Caller } from "../dispatch/caller.ts";
import { inFolder } from "../dispatch/targets.ts";
import { bareCaller, droverCaller } from "./callers.ts";

export interface NatsStartSpec {
  /** The nats-server, "127.0.0.1:<port>". */
  readonly servers: string;
  /** The folder the target's own folder is made in. */
  readonly parentDir: string;
  /** Added to the environment of everything the target starts (the bench's marker). */
  readonly env: NodeJS.ProcessEnv;
}

export interface RunningNatsTarget {
  /** Its process group: the master and its drones, or the responders. */
  readonly pid: number;
  readonly caller: Caller;
  stop(): Promise<void>;
}

export interface NatsTarget {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Processes that answer calls: drones or responders. */
  readonly workers: number;
  /** Subjects it serves: `<subject>.<method>`. */
  readonly subject: string;
  start(spec: NatsStartSpec): Promise<RunningNatsTarget>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here("../../src/cli/main.ts");
const SERVICE = here("../dispatch/service.ts");
/** Two drones, two responders: the figures of the issue. */
export const WORKERS = 2;

/** Starts the process, then its caller; a caller that cannot connect stops the process again. */
async function withCaller(
  up: { readonly pid: number; stop(): Promise<void> },
  open: () => Promise<Caller>,
): Promise<RunningNatsTarget> {
  const caller = await open().catch(async (error: unknown) => {
    await up.stop();
    throw error;
  });
  return {
    pid: up.pid,
    caller,
    stop: async () => {
      try {
        await caller.close();
      } finally {
        await up.stop();
      }
    },
  };
}

interface Launch {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly workers: number;
  /** Its folder's name, short: a run directory below it must fit its socket path in 107 bytes. */
  readonly folder: string;
  /** Starts its process group in `folder`, serving `subject`; resolves once it is ready. */
  readonly spawn: (spec: NatsStartSpec, subject: string, folder: string) => Promise<SpawnedProcess>;
  readonly caller: (servers: string, subject: string) => Promise<Caller>;
}

/** A target on a subject of its own, started in a folder of its own, with its caller. */
function launched({ id, label, description, workers, folder: name, spawn, caller }: Launch): NatsTarget {
  const subject = `bench.nats.${id}`;
  return {
    id,
    label,
    description,
    workers,
    subject,
    start: async (spec) => {
      const up = await inFolder(name, spec.parentDir, async (folder) => ({
        proc: await spawn(spec, subject, folder),
        socket: "",
      }));
      return withCaller(up, () => caller(spec.servers, subject));
    },
  };
}

/** `drover start` with one service of WORKERS drones on the target's subject; `service` fields on top. */
function droverTarget(
  id: string,
  label: string,
  description: string,
  service: Record<string, unknown> = {},
): NatsTarget {
  return launched({
    id,
    label,
    description,
    workers: WORKERS,
    folder: "drover",
    caller: droverCaller,
    spawn: ({ servers, env }, subject, folder) => {
      const config = join(folder, "drover.config.json");
      const transport = { nats: { servers, subject } };
      const services = [
        { name: "bench", module: SERVICE, minDrones: WORKERS, maxDrones: WORKERS, transport, ...service },
      ];
      // "info": the line that says the service subscribed is the master's readiness.
      writeFileSync(config, JSON.stringify({ runDir: "./run", logLevel: "info", services }));
      return spawnNode(CLI, ["start", `--config=${config}`], {
        env,
        cwd: folder,
        ready: /takes calls from NATS on/,
        readyTimeoutMs: 30_000,
      });
    },
  });
}

/** `drover-hosts.ts`: WORKERS masters of one drone each on one subject, called as drover is. */
function droverHostsTarget(id: string, label: string, description: string, handOff: boolean): NatsTarget {
  return launched({
    id,
    label,
    description,
    workers: WORKERS,
    folder: "hosts",
    caller: droverCaller,
    spawn: ({ servers, env }, subject, folder) =>
      spawnNode(
        here("./drover-hosts.ts"),
        [servers, subject, String(WORKERS), "1", handOff ? "hand-off" : "no-hand-off"],
        { env, cwd: folder, ready: /listening/, readyTimeoutMs: 60_000 },
      ),
  });
}

/** A peer of peers/: `script` started with `<servers> <subject> <queue>` and any `extra` arguments. */
function peerTarget(
  id: string,
  label: string,
  description: string,
  workers: number,
  script: string,
  extra: readonly string[] = [],
): NatsTarget {
  return launched({
    id,
    label,
    description,
    workers,
    folder: id,
    caller: bareCaller,
    spawn: ({ servers, env }, subject, folder) =>
      spawnNode(here(script), [servers, subject, subject, ...extra], {
        env,
        cwd: folder,
        ready: /listening/,
      }),
  });
}

export const DRONE_CONCURRENCY = 8;

export const natsTargets: readonly NatsTarget[] = [
  droverTarget(
    "drover",
    "drover over NATS",
    `\`drover start\` with one service of \`minDrones\` = \`maxDrones\` = ${WORKERS} and \`transport: { nats }\`, ` +
      "defaults otherwise (one call per drone at a time), called with drover/client's `connect({ nats })`: " +
      "client → nats-server → master (queue group of one) → the drone's pipe → drone, which publishes the result → nats-server → client",
  ),
  droverTarget(
    "drover-concurrent",
    `drover over NATS, droneConcurrency ${DRONE_CONCURRENCY}`,
    `the same with \`droneConcurrency: ${DRONE_CONCURRENCY}\`: a drone takes up to ${DRONE_CONCURRENCY} calls at once`,
    { droneConcurrency: DRONE_CONCURRENCY },
  ),
  droverHostsTarget(
    "drover-hosts",
    `drover over NATS, ${WORKERS} hosts of 1 drone`,
    `${WORKERS} \`drover start\` masters, each with one drone of the service on the same subject (its queue group), ` +
      "as two hosts would run it: NATS hands each call to either master at random; one with no idle drone hands " +
      "the call to the other when that one has said it has one",
    true,
  ),
  droverHostsTarget(
    "drover-hosts-random",
    `drover over NATS, ${WORKERS} hosts of 1 drone, handOff false`,
    "the same with `handOff: false`: each call stays on the master NATS picked, as with responders in a queue group",
    false,
  ),
  peerTarget(
    "bare",
    "bare NATS responder",
    "one process subscribed to `<subject>.>` (queue group of one, callback subscription, `noAsyncTraces`), " +
      "answering each call itself; called with a plain `request` of @nats-io/transport-node, the same v8 payload",
    1,
    "./peers/responder.ts",
  ),
  peerTarget(
    "relay",
    "bare NATS relay through a process",
    "drover's design with nothing else: a process subscribed like the responder passes each call whole over a " +
      "socketpair to one child process, which runs it, publishes the result to the caller on its own connection, " +
      "and writes a one-byte DONE back; no header read, no choice, no timer; called like the responder",
    1,
    "./peers/relay.ts",
  ),
  peerTarget(
    "queue-group",
    `${WORKERS} responders in a queue group`,
    `${WORKERS} such processes subscribed in one NATS queue group: NATS hands each call to one at random, busy or not`,
    WORKERS,
    "./peers/queue-group.ts",
    [String(WORKERS)],
  ),
];

export function natsTarget(id: string): NatsTarget {
  const target = natsTargets.find((known) => known.id === id);
  if (!target) throw new Error(`no NATS target ${id}: one of ${natsTargets.map((t) => t.id).join(", ")}`);
  return target;
}

/** How the section names target `id`. */
export const labelOf = (id: string) => natsTarget(id).label;
