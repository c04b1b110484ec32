// The processes a bench launcher started, as one: one that exits unasked stops them all (and the
// launcher exits 1); a SIGTERM or SIGINT to the launcher stops them all, and it exits 0.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

export class ChildGroup {
  /** What the group is, as its stop says: "the hosts", "the queue group". */
  readonly #what: string;
  readonly #children: ChildProcess[] = [];
  #stopping = false;

  constructor(what: string) {
    this.#what = what;
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void this.stop(0));
  }

  /** `child`, as one of the group (`name` says which, should it exit unasked). */
  add(child: ChildProcess, name: string): ChildProcess {
    this.#children.push(child);
    child.once("exit", (code, signal) => {
      if (this.#stopping) return;
      console.error(`${name} exited (${signal ?? code}): ${this.#what} stop`);
      void this.stop(1);
    });
    return child;
  }

  /** Sends each child still running a SIGTERM, waits for them all, and exits with `code`. */
  async stop(code: number): Promise<void> {
    this.#stopping = true;
    const exits = this.#children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        return exited;
      });
    await Promise.all(exits);
    process.exit(code);
  }
}
