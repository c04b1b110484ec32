// The master's side of systemd's notification protocol: READY=1 once the first generation serves,
// RELOADING=1 (with MONOTONIC_USEC, as Type=notify-reload needs) when a reload or restart is asked and
// READY=1 again once none is left, STOPPING=1 when a stop begins, STATUS= whenever the one-line
// summary changes, and WATCHDOG=1 every half of WATCHDOG_USEC while the master is live. Without
// $NOTIFY_SOCKET every call does nothing. A notification that cannot be sent is logged (once per kind
// of failure) and never fails the master: systemd's view is a report of what runs, not a part of it.
import type { Logger } from "../log/logger.ts";
import { sendNotify } from "../native/systemd.ts";
import type { NotifyEnvironment } from "./notify-environment.ts";

// How often the STATUS= line is looked at for changes.
const STATUS_EVERY_MS = 1_000;

export interface NotifierSources {
  /** The one-line summary for STATUS=. */
  readonly summary: () => string;
  /** The master is live: its loop and maintenance pass run (what WATCHDOG=1 vouches for). */
  readonly alive: () => boolean;
}

export class SystemdNotifier {
  readonly #socket: string | undefined;
  readonly #watchdogEveryMs: number | undefined;
  readonly #log: Logger;
  readonly #failures = new Set<string>();
  readonly #timers: NodeJS.Timeout[] = [];
  #sources: NotifierSources | undefined;
  #status: string | undefined;
  #reloads = 0;
  #stopping = false;
  #handedOver = false;

  constructor(environment: NotifyEnvironment, log: Logger) {
    this.#socket = environment.socket;
    this.#watchdogEveryMs = environment.watchdogEveryMs;
    this.#log = log;
    for (const note of environment.notes) log.warn(note);
  }

  /** Starts the watchdog pings and the STATUS= updates. */
  start(sources: NotifierSources): void {
    if (this.#socket === undefined || this.#sources) return;
    this.#sources = sources;
    const every = (ms: number, act: () => void) => this.#timers.push(setInterval(act, ms).unref());
    if (this.#watchdogEveryMs !== undefined) every(this.#watchdogEveryMs, () => this.beat());
    every(STATUS_EVERY_MS, () => this.refreshStatus());
  }

  /** What a new master started by an upgrade needs to tell systemd how it does. */
  get environment(): NodeJS.ProcessEnv {
    if (this.#socket === undefined) return {};
    const every = this.#watchdogEveryMs;
    return {
      NOTIFY_SOCKET: this.#socket,
      ...(every === undefined ? {} : { WATCHDOG_USEC: String(every * 2_000) }),
    };
  }

  /** The first generation serves. */
  ready(): void {
    this.#send(["READY=1", ...this.#statusLine(true)]);
  }

  /** A reload or restart was asked: systemd is told at once, with the time it was told. */
  reloading(): void {
    if (this.#stopping) return;
    this.#reloads++;
    // libuv reads CLOCK_MONOTONIC for hrtime on Linux, the clock systemd compares MONOTONIC_USEC with.
    const usec = process.hrtime.bigint() / 1_000n;
    this.#send(["RELOADING=1", `MONOTONIC_USEC=${usec}`, ...this.#statusLine(true)]);
  }

  /** A reload or restart has ended, well or not (a failed one leaves the old generation serving). */
  reloaded(): void {
    if (this.#reloads > 0) this.#reloads--;
    if (this.#reloads === 0 && !this.#stopping) this.#send(["READY=1", ...this.#statusLine(true)]);
  }

  /** A stop has begun: after this no READY=1 is sent again. */
  stopping(): void {
    if (this.#stopping || this.#handedOver) return;
    this.#stopping = true;
    this.#send(["STOPPING=1", ...this.#statusLine(true)]);
  }

  /**
   * An upgrade: the new master `pid` serves and is systemd's main process from now on; this one
   * sends nothing more (its STOPPING=1 would stop the service).
   */
  handedOver(pid: number): void {
    this.#send([`MAINPID=${pid}`]);
    this.#stopping = true;
    this.#handedOver = true;
    this.close();
  }

  /** One watchdog ping, sent only while the master is live (systemd's timer then runs out). */
  beat(): void {
    if (this.#sources?.alive()) this.#send(["WATCHDOG=1"]);
  }

  /** Sends STATUS= if the summary changed since it was last sent. */
  refreshStatus(): void {
    const line = this.#statusLine(false);
    if (line.length > 0) this.#send(line);
  }

  close(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
  }

  // STATUS=, when there is a summary and it changed (or `always`).
  #statusLine(always: boolean): string[] {
    const reloading = this.#reloads > 0 && !this.#stopping ? "; reloading" : "";
    const summary = this.#sources && `${this.#sources.summary()}${reloading}`.replaceAll("\n", " ");
    if (summary === undefined || (!always && summary === this.#status)) return [];
    this.#status = summary;
    return [`STATUS=${summary}`];
  }

  #send(lines: readonly string[]): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    try {
      sendNotify(socket, lines.join("\n"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EUNKNOWN";
      if (this.#failures.has(code)) return;
      this.#failures.add(code);
      this.#log.warn(
        { err: error, notifySocket: socket },
        `could not notify systemd on ${socket} (${code}): it will not hear how drover is doing; check NOTIFY_SOCKET`,
      );
    }
  }
}
