// The run directory as a master holds it: made (owner-only) at the start, its pid file locked for the
// master's whole life, its files watched by the janitor should the master die, and removed at the
// stop. An upgrade's new master locks the pid file only once it serves, taking it over from the old
// master; the old one, having handed over, then removes none of the files and only lets its lock go.
import { DroverError, ErrorCode } from "../../errors.ts";
import { Janitor } from "./janitor.ts";
import { acquirePidLock, type PidLock, takeOverPidLock } from "./pid-lock.ts";
import { makeRunDir, type RunFiles, removeRunDir, removeRunFiles, runFiles } from "./run-files.ts";

export class RunDirectory {
  readonly files: RunFiles;
  // Held once this master locked its pid file: a master refused at start-up must not remove another's files.
  #lock: PidLock | undefined;
  // The outermost folder its start made (the run directory or a parent), to take away again.
  #madeFrom: string | undefined;
  #janitor: Janitor | undefined;
  // Its sockets and run files are a new master's now (an upgrade): this one removes none of them.
  #handedOver = false;

  constructor(runDir: string) {
    this.files = runFiles(runDir);
  }

  /** This master locks the pid file (or took it over): the files are its own to watch and remove. */
  get locked(): boolean {
    return this.#lock !== undefined;
  }

  get handedOver(): boolean {
    return this.#handedOver;
  }

  /** Creates the directory (RUN_DIR when it cannot). */
  make(): void {
    this.#madeFrom = makeRunDir(this.files.runDir);
  }

  /** Locks the pid file; ALREADY_RUNNING when another master holds it. */
  lockPidFile(): void {
    const lock = acquirePidLock(this.files.pidFile);
    if ("heldBy" in lock) {
      const who =
        lock.heldBy === undefined ? "another drover master" : `a drover master (pid ${lock.heldBy})`;
      throw new DroverError(
        ErrorCode.ALREADY_RUNNING,
        `${who} already runs in ${this.files.runDir}: stop it with \`drover stop\`, or use another --run-dir`,
      );
    }
    this.#lock = lock;
  }

  /** An upgrade's new master, serving: the old master's pid file becomes this one's (see takeOverPidLock). */
  takeOverPidFile(): void {
    this.#lock = takeOverPidLock(this.files.pidFile);
  }

  startJanitor(): void {
    this.#janitor = Janitor.start();
  }

  /** Tells the janitor which files are the master's now: its own sockets and `listenerSockets`. */
  watch(listenerSockets: readonly string[]): void {
    this.#janitor?.watch(this.files.pidFile, this.files.runDir, [
      this.files.controlSocket,
      this.files.dispatchSocket,
      ...new Set(listenerSockets),
    ]);
  }

  /** A new master holds the run files now: this one leaves them be. */
  handOver(): void {
    this.#handedOver = true;
  }

  /** The stop: the files go (or, handed over, only the lock); a directory this start made goes too. */
  remove(): void {
    if (this.#handedOver) this.#lock?.release();
    else if (this.#lock) removeRunFiles(this.files, this.#lock, this.#madeFrom);
    else if (this.#madeFrom) removeRunDir(this.files.runDir, this.#madeFrom);
  }

  /** After remove: the janitor finds nothing left and exits. */
  async finish(): Promise<void> {
    await this.#janitor?.finish();
  }
}
