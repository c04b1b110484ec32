// The master's signal handlers following the config's mapping, with real signals sent to this process:
// the same mapping again installs nothing twice, another one takes the place of the first (a reload
// that changed `signals`), and uninstall leaves the process as it found it. Only signals whose default
// is to do nothing (WINCH, URG) are sent, so that a missing handler could not end the test's process.
import assert from "node:assert/strict";
import { it } from "node:test";
import { type SignalAction, SignalHandlers } from "../../src/master/signals.ts";
import { waitFor } from "../harness/wait.ts";

const WATCHED = ["SIGTERM", "SIGHUP", "SIGUSR2", "SIGWINCH", "SIGURG"] as const;

function listeners(): Record<string, number> {
  return Object.fromEntries(WATCHED.map((signal) => [signal, process.listenerCount(signal)]));
}

it("SignalHandlers installs one mapping at a time and takes them all away again", async () => {
  const before = listeners();
  const acted: string[] = [];
  const handlers = new SignalHandlers((action: SignalAction, signal) => acted.push(`${signal} ${action}`));
  try {
    handlers.follow("drover");
    handlers.follow("drover");
    const drover = listeners();
    for (const signal of ["SIGTERM", "SIGHUP", "SIGUSR2", "SIGURG"]) {
      assert.equal(drover[signal], (before[signal] ?? 0) + 1, `${signal}: one handler, not two`);
    }
    assert.equal(drover.SIGWINCH, before.SIGWINCH, "drover's mapping leaves WINCH alone");
    process.kill(process.pid, "SIGURG");
    await waitFor("SIGURG to be acted on", () => acted.includes("SIGURG upgrade"));

    handlers.follow("apache");
    const apache = listeners();
    for (const signal of WATCHED) {
      assert.equal(apache[signal], (before[signal] ?? 0) + 1, `${signal}: apache's handler alone`);
    }
    process.kill(process.pid, "SIGWINCH");
    await waitFor("SIGWINCH to be acted on", () => acted.includes("SIGWINCH gracefulStop"));
    assert.deepEqual(acted, ["SIGURG upgrade", "SIGWINCH gracefulStop"]);
  } finally {
    handlers.uninstall();
  }
  assert.deepEqual(listeners(), before);
});
