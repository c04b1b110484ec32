// The janitor: a small process the master starts beside its children, whose only job is to remove
// the master's run files (pid file, control socket, unix listener sockets, the run directory) if the
// master dies without doing it itself, SIGKILL included. It waits on a pipe from the master: the
// pipe's end is the master's death or its stop. It removes only files that are still the very ones
// the master made (device and inode), and only while no new master holds the pid file's lock.
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(
  new URL(`./janitor-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** A file the janitor may remove: its path, and the identity it had when the master made it. */
export interface JanitorFile {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
}

/** What the janitor is told: the files to remove and the pid file whose lock says a master runs. */
export interface JanitorPlan {
  readonly pidFile: string;
  readonly runDir: string;
  readonly files: readonly JanitorFile[];
}

export class Janitor {
  readonly #process: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(process: ChildProcess) {
    this.#process = process;
    this.#exited = new Promise((resolve) => process.once("exit", () => resolve()));
    process.on("error", () => {});
    process.stdin?.on("error", () => {});
  }

  /** Starts the janitor; undefined when it cannot be started (then nothing cleans up after a SIGKILL). */
  static start(): Janitor | undefined {
    try {
      const child = spawn(process.execPath, [ENTRY], { stdio: ["pipe", "ignore", "inherit"] });
      return child.pid === undefined ? undefined : new Janitor(child);
    } catch {
      return undefined;
    }
  }

  /** The files to remove should the master die; each call replaces the last. */
  watch(pidFile: string, runDir: string, paths: readonly string[]): void {
    const files: JanitorFile[] = [];
    for (const path of paths) {
      const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (stat) files.push({ path, dev: String(stat.dev), ino: String(stat.ino) });
    }
    const plan: JanitorPlan = { pidFile, runDir, files };
    this.#process.stdin?.write(`${JSON.stringify(plan)}\n`);
  }

  /** The master removed its files itself: the janitor finds nothing left and exits. */
  async finish(timeoutMs = 2_000): Promise<void> {
    this.#process.stdin?.end();
    const timer = setTimeout(() => this.#process.kill("SIGKILL"), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
