// The test plays the master of one drone: it creates a real scoreboard, spawns src/child/main.ts with the
// drone's descriptors (IPC on 3, the scoreboard on 4, a socketpair on 5) and a spec in DROVER_CHILD,
// and speaks frames on the data channel. Every drone is killed when its test ends, its pid proven gone.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import type { TestContext } from "node:test";
import { deserialize, serialize } from "node:v8";
import { type Frame, FrameReader, type Header, writeFrame } from "../../src/dispatch/wire/frames.ts";
import {
  type DoneHeader,
  DRONE_KINDS,
  isValidHeader,
  Kind,
  type SessionEnd,
} from "../../src/dispatch/wire/messages.ts";
import { DRONE_SCOREBOARD_FD, type DroneSpec, droneFds } from "../../src/drone/spec.ts";
import { childExecArgv } from "../../src/master/children/child-exec-argv.ts";
import { type ProcessSnapshot, Scoreboard, type WorkerSnapshot } from "../../src/scoreboard/index.ts";
import { type ExitStatus, isAlive, proveGroupGone } from "../harness/process.ts";
import { testShmName } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";

const MAIN = new URL("../../src/child/main.ts", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
export const SLOT = 1;

export interface DroneOptions {
  /** A file of test/drone/fixtures/ (default echo-service.ts), unless spec.module names another. */
  readonly fixture?: string;
  readonly spec?: Partial<DroneSpec>;
  /** The spec as DROVER_CHILD carries it, instead of the one made from `spec`. */
  readonly rawSpec?: string;
}

export interface Done {
  readonly header: DoneHeader;
  readonly body: Buffer;
}

export interface TestDrone {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly scoreboard: Scoreboard;
  /** The IPC messages the drone sent, in order. */
  readonly messages: unknown[];
  /** The frames the drone sent, in order. */
  readonly frames: Frame[];
  readonly exited: Promise<ExitStatus>;
  output(): string;
  waitForOutput(pattern: RegExp): Promise<void>;
  waitForMessage(drover: string): Promise<Record<string, unknown>>;
  /** Sends a frame (the body as given: already serialized). */
  send(kind: number, header: Header, body?: Uint8Array): void;
  /** Sends RUN for `method` with `params` serialized; returns the call's id. */
  run(
    method: string,
    params?: unknown,
    options?: { timeoutMs?: number; session?: string; id?: number },
  ): number;
  /** RUN then its DONE. */
  call(method: string, params?: unknown, options?: { timeoutMs?: number; session?: string }): Promise<Done>;
  connect(session: string): Promise<Done>;
  disconnect(session: string, reason?: SessionEnd): Promise<Done>;
  /** The DONE of call `id`. */
  done(id: number): Promise<Done>;
  worker(index: number): WorkerSnapshot;
  record(): ProcessSnapshot;
  /** Kills the drone if it still runs and proves it and its group gone. */
  stop(): Promise<ExitStatus>;
}

let nextId = 1;

/** The result a DONE carries, deserialized; fails the test on an error DONE. */
export function resultOf(done: Done): unknown {
  assert.equal(done.header.ok, true, `the call failed: ${JSON.stringify(done.header)}`);
  return deserialize(done.body);
}

/** The error a DONE carries; fails the test on a successful one. */
export function errorOf(done: Done): { name: string; message: string; code?: string; stack?: string } {
  assert.equal(done.header.ok, false, "the call succeeded");
  return (done.header as Extract<DoneHeader, { ok: false }>).error;
}

export async function startDrone(t: TestContext, options: DroneOptions): Promise<TestDrone> {
  const concurrency = options.spec?.concurrency ?? 1;
  const scoreboard = Scoreboard.create({ name: testShmName("drone"), serverLimit: 2, workerLimit: 4 });
  scoreboard.master.prepareSlot(SLOT, 0, concurrency, Date.now());
  const spec: DroneSpec = {
    role: "drone",
    slot: SLOT,
    generation: 0,
    restart: "first",
    scoreboardFd: DRONE_SCOREBOARD_FD,
    channelFd: droneFds(0).channel,
    service: "test",
    module: FIXTURES + (options.fixture ?? "echo-service.ts"),
    concurrency,
    maxRequests: 0,
    maxMessageBytes: 64 * 1024 * 1024,
    hookTimeoutMs: 5_000,
    heartbeatIntervalMs: 100,
    hungChildStack: false,
    nice: 0,
    modules: [],
    resources: [],
    resourceFds: [],
    ...options.spec,
  };
  const child = spawn(process.execPath, [...childExecArgv(), MAIN], {
    stdio: ["ignore", "pipe", "pipe", "ipc", scoreboard.fd, "pipe"],
    env: { ...process.env, DROVER_CHILD: options.rawSpec ?? JSON.stringify(spec) },
    serialization: "json",
    // Its own process group, so that its end proves nothing of it is left.
    detached: true,
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid as number));
    child.once("error", reject);
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const messages: unknown[] = [];
  child.on("message", (message) => messages.push(message));
  child.on("error", () => {
    // A send to a drone that just exited: its exit is what the test looks at.
  });
  // stdio[5]: the data channel (ChildProcess types only the first five entries).
  const channel = (child.stdio as unknown as Socket[])[5] as Socket;
  const frames: Frame[] = [];
  const reader = new FrameReader({
    frame: (frame) => frames.push(frame),
    bodyLimit: () => Number.POSITIVE_INFINITY,
    oversize: () => assert.fail("no limit"),
  });
  channel.on("data", (chunk: Buffer) => reader.push(chunk));
  channel.on("error", () => {
    // The drone exited or closed its end: the tests look at its exit.
  });

  const done = (id: number) =>
    waitFor(`the DONE of call ${id}\n${output}`, () => {
      const frame = frames.find((f) => f.kind === Kind.DONE && f.header.id === id);
      if (!frame) return undefined;
      assert.ok(isValidHeader(frame.kind, frame.header, DRONE_KINDS), JSON.stringify(frame.header));
      return { header: frame.header as unknown as DoneHeader, body: frame.body };
    });
  const send = (kind: number, header: Header, body?: Uint8Array) => {
    writeFrame(channel, kind, header, body);
  };
  const run: TestDrone["run"] = (method, params, { timeoutMs = 60_000, session, id = nextId++ } = {}) => {
    send(Kind.RUN, { id, method, timeoutMs, ...(session ? { session } : {}) }, serialize(params));
    return id;
  };
  const snapshot = () => {
    const record = scoreboard.snapshot().processes.find((p) => p.slot === SLOT);
    assert.ok(record, "the drone's slot is on the scoreboard");
    return record;
  };
  let stopping: Promise<ExitStatus> | undefined;
  const drone: TestDrone = {
    child,
    pid,
    scoreboard,
    messages,
    frames,
    exited,
    output: () => output,
    waitForOutput: async (pattern) => {
      await waitFor(`${pattern} in the drone's output\n${output}`, () => pattern.test(output));
    },
    waitForMessage: (drover) =>
      waitFor(`IPC {drover: "${drover}"} from the drone\n${output}`, () =>
        messages.find((m) => (m as { drover?: unknown }).drover === drover),
      ) as Promise<Record<string, unknown>>,
    send,
    run,
    call: (method, params, options) => done(run(method, params, options)),
    connect: (session) => {
      const id = nextId++;
      send(Kind.CONNECT, { id, session });
      return done(id);
    },
    disconnect: (session, reason = "closed") => {
      const id = nextId++;
      send(Kind.DISCONNECT, { id, session, reason });
      return done(id);
    },
    done,
    worker: (index) => {
      const worker = snapshot().workers[index];
      assert.ok(worker, `worker ${index} is on the scoreboard`);
      return worker;
    },
    record: snapshot,
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        const status = await exited;
        channel.destroy();
        await proveGroupGone(pid, 5_000);
        assert.equal(isAlive(pid), false, `drone ${pid} is gone`);
        return status;
      })();
      return stopping;
    },
  };
  t.after(async () => {
    try {
      await drone.stop();
    } finally {
      scoreboard.close();
    }
  });
  return drone;
}

/** Starts a drone and waits for its HELLO and then its ready message. */
export async function readyDrone(t: TestContext, options: DroneOptions): Promise<TestDrone> {
  const drone = await startDrone(t, options);
  await drone.waitForMessage("ready");
  return drone;
}
