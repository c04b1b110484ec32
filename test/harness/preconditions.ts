// What the project's machines (developers' and CI's) always have, asserted where a test needs it: a
// test never skips itself, so a machine without it fails loudly, saying what is missing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** Fails unless this process runs as root (the suite runs as root on the project's machines). */
export function assertRoot(why: string): void {
  assert.equal(process.getuid?.(), 0, `this test needs root, ${why}: run the suite as root`);
}

/** Fails unless at least `count` CPUs are available to this process. */
export function assertCpus(count: number, why: string): void {
  const cpus = availableParallelism();
  assert.ok(cpus >= count, `this test needs ${count} CPUs, ${why}; this machine gives it ${cpus}`);
}

/** uid and gid of the account `name`; fails if there is none. */
export function assertAccount(name: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    try {
      return Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
    } catch {
      assert.fail(`this test needs a user named ${name} (every Debian system has one)`);
    }
  };
  return { uid: id("-u"), gid: id("-g") };
}
