// The old master's side of `drover upgrade`: it starts a new master from what is installed now (the
// node binary and drover's entry as found on disk again, the same `drover start` arguments, working
// folder and environment), hands it the listening sockets as socket activation would (descriptors 3,
// 4, ... and LISTEN_FDS), and waits for it to say it serves. A new master that fails, exits, or is not
// serving within the bound is stopped (SIGQUIT: it cleans up after itself; SIGKILL if it does not go)
// and the old master serves on.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { OpenListener } from "../run/listeners.ts";
import { UPGRADE_FD, UPGRADE_FROM, UPGRADE_SYSTEMD, type UpgradeMessage } from "./upgrade-env.ts";

// How long a failed new master has to stop by itself before it is killed.
const SUCCESSOR_STOP_MS = 10_000;

export interface SuccessorOptions {
  /** The sockets the new master serves on (the serving generation's listeners). */
  readonly listeners: readonly OpenListener[];
  /** Variables for the new master beside this one's environment (NOTIFY_SOCKET under systemd). */
  readonly env: NodeJS.ProcessEnv;
  /** How long the new master has to serve. */
  readonly timeoutMs: number;
  /** A stop of this master gives the upgrade up. */
  readonly signal: AbortSignal;
}

/** The new master, serving. */
export interface Successor {
  readonly pid: number;
  readonly generation: number;
}

/** Starts the new master and resolves once it serves; rejects with UPGRADE_FAILED (it gone) if not. */
export async function startSuccessor(options: SuccessorOptions): Promise<Successor> {
  const fds = [...new Set(options.listeners.map((open) => open.fd))];
  const pipeFd = 3 + fds.length;
  const systemd = options.listeners.flatMap((open) => (open.adopted ? [3 + fds.indexOf(open.fd)] : []));
  const [entry, ...args] = process.argv.slice(1);
  if (entry === undefined) throw failure("this master was not started from a script");
  const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      ...options.env,
      LISTEN_FDS: String(fds.length),
      [UPGRADE_FROM]: String(process.pid),
      [UPGRADE_FD]: String(pipeFd),
      [UPGRADE_SYSTEMD]: systemd.join(","),
    },
    // Its log goes where this one's goes; stdin is no master's.
    stdio: ["ignore", "inherit", "inherit", ...fds, "pipe"],
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once("spawn", () => resolve(true));
    child.once("error", () => resolve(false));
  });
  if (!spawned || child.pid === undefined) {
    throw failure(`the new master could not be started (${process.execPath} ${entry})`);
  }
  const pid = child.pid;
  let message: UpgradeMessage | undefined;
  try {
    message = await answer(child, pipeFd, options);
  } catch (error) {
    await stopSuccessor(child);
    throw error;
  }
  if (!message.ready) {
    await stopSuccessor(child);
    throw failure(`the new master (pid ${pid}) could not start: ${message.error}`);
  }
  // It lives on after this master: nothing of it may keep this one's loop running.
  child.unref();
  (child.stdio[pipeFd] as (NodeJS.ReadableStream & { destroy(): void }) | null)?.destroy();
  return { pid, generation: message.generation };
}

// The first line on the pipe, or why none came.
function answer(child: ChildProcess, pipeFd: number, options: SuccessorOptions): Promise<UpgradeMessage> {
  const pipe = child.stdio[pipeFd] as NodeJS.ReadableStream | null;
  const pid = child.pid;
  return new Promise((resolve, reject) => {
    const lines = pipe ? createInterface({ input: pipe }) : undefined;
    const done = (settle: () => void) => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      child.off("exit", onExit);
      lines?.close();
      settle();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(() =>
        reject(
          failure(
            `the new master (pid ${pid}) exited (${signal ?? `code ${code}`}) before it served; see its log above`,
          ),
        ),
      );
    const onAbort = () => done(() => reject(failure("this master began to stop: the upgrade was given up")));
    const timer = setTimeout(
      () =>
        done(() =>
          reject(failure(`the new master (pid ${pid}) did not serve within ${options.timeoutMs} ms`)),
        ),
      options.timeoutMs,
    );
    child.once("exit", onExit);
    options.signal.addEventListener("abort", onAbort, { once: true });
    lines?.once("line", (line) => {
      let parsed: UpgradeMessage;
      try {
        parsed = JSON.parse(line) as UpgradeMessage;
      } catch {
        parsed = { ready: false, error: `it said ${JSON.stringify(line.slice(0, 200))}` };
      }
      done(() => resolve(parsed));
    });
  });
}

// SIGQUIT (a hard stop that cleans up), then SIGKILL; resolves once it has exited.
async function stopSuccessor(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGQUIT");
  const timer = setTimeout(() => child.kill("SIGKILL"), SUCCESSOR_STOP_MS);
  await exited;
  clearTimeout(timer);
}

function failure(message: string): DroverError {
  return new DroverError(ErrorCode.UPGRADE_FAILED, `upgrade failed; this master serves on: ${message}`);
}
