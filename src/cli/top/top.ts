// `drover top`: the scoreboard, live. It reads shared memory as `drover status` does, so it carries on
// while the master is busy or stopped (it says so), redraws every interval and on SIGWINCH, and ends
// on q or Ctrl-C (or SIGTERM, SIGHUP, and when the master exits), giving the terminal back as it was.
import type { ReadStream, WriteStream } from "node:tty";
import type { Scoreboard } from "../../scoreboard/index.ts";
import { cpuSeconds } from "../../status/process-cpu.ts";
import { statusReport } from "../../status/report.ts";
import { isSameProcessRunning, processStat } from "../../util/process-alive.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { renderFrame } from "./frame.ts";
import { Screen } from "./screen.ts";
import { type MasterState, TopRates } from "./view.ts";

const QUIT_KEYS = new Set(["q", "Q", "\x03"]); // q, or Ctrl-C (raw mode makes it a key)
const QUIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface TopOptions {
  readonly scoreboard: Scoreboard;
  readonly masterPid: number;
  readonly intervalMs: number;
  readonly out: WriteStream;
  /** The keyboard; undefined when stdin is no terminal (then only a signal ends it). */
  readonly input: ReadStream | undefined;
}

/** Runs until a quit key or signal, or until the master is gone; resolves to the exit code. */
export function runTop(options: TopOptions): Promise<number> {
  const { scoreboard, masterPid, out } = options;
  const screen = new Screen(out, options.input);
  const rates = new TopRates();
  const started = processStat(masterPid)?.startTime ?? 0;
  return new Promise((resolve, reject) => {
    let lastLines: (() => string[]) | undefined;
    let ended = false;
    const end = (message?: string, error?: unknown) => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      out.off("resize", redraw);
      for (const signal of QUIT_SIGNALS) process.off(signal, onSignal);
      screen.restore();
      if (message !== undefined) console.log(message);
      if (error === undefined) resolve(EXIT_OK);
      else reject(error);
    };
    const onSignal = () => end();
    const redraw = () => {
      if (lastLines) screen.draw(lastLines());
    };
    const tick = () => {
      const master = masterState(masterPid, started);
      if (master === "gone") return end(`drover top: the master (pid ${masterPid}) has exited`);
      const at = Date.now();
      const view = rates.next(statusReport(scoreboard.snapshot(at), at, cpuSeconds), master, at);
      lastLines = () => renderFrame(view, screen.width, screen.height);
      redraw();
    };
    for (const signal of QUIT_SIGNALS) process.on(signal, onSignal);
    out.on("resize", redraw);
    screen.enter((key) => {
      if ([...key].some((char) => QUIT_KEYS.has(char))) end();
    });
    const safeTick = () => {
      try {
        tick();
      } catch (error) {
        end(undefined, error);
      }
    };
    const timer = setInterval(safeTick, options.intervalMs);
    safeTick();
  });
}

// Gone also when the pid now names another process (started at another time).
function masterState(pid: number, startTime: number): MasterState {
  if (!isSameProcessRunning(pid, startTime)) return "gone";
  const state = processStat(pid)?.state;
  return state === "T" || state === "t" ? "stopped" : "running";
}
