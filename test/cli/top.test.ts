// `drover status` and `drover top` on one real master with a child pool and a service: status shows
// each child's memory, CPU and uptime and the pool's restarts; top, in a tmux pane, shows the
// children and drones, fits the pane and redraws when it is resized, carries on while the master is
// stopped (SIGSTOP), and ends on q or Ctrl-C, giving the terminal back.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { CLI, startDrover } from "../support/drover.ts";
import { MATH_SERVICE } from "../support/services.ts";
import { startTmux } from "../support/tmux.ts";

const APP = `export default (_req: any, res: any) => res.end("ok");\n`;

it("status shows memory, CPU and uptime per child; top shows it live, fits, and quits", {
  timeout: 120_000,
}, async (t) => {
  const drover = await startDrover({
    app: APP,
    config: {
      startServers: 2,
      workersPerChild: 150,
      services: [{ name: "math", module: MATH_SERVICE, minDrones: 1, maxDrones: 1 }],
    },
  });
  const master = drover.proc.pid;
  let stopped = false;
  t.after(async () => {
    if (stopped) process.kill(master, "SIGCONT");
    await drover.stop();
  });
  for (let i = 0; i < 3; i++) assert.equal((await drover.request()).status, 200);
  const json = await waitFor("the drone ready", async () => {
    const status = await drover.status();
    return status.services[0]?.droneProcesses[0]?.state === "ready" && status;
  });

  // status: the figures per child, in both forms.
  const [child] = json.children;
  assert.ok(child && child.rssBytes > 0 && child.uptimeSeconds >= 0, JSON.stringify(child));
  assert.ok((child.cpuSeconds ?? 0) > 0, "a child has used some CPU, read from /proc");
  assert.deepEqual(json.counters, {
    gracefulRestarts: 0,
    hardRestarts: 0,
    failedRestarts: 0,
    childrenStarted: 2,
    childrenFailed: 0,
  });
  assert.deepEqual(
    [json.restarts, json.childrenStarted, json.childrenFailed, typeof json.sinceRestartSeconds],
    [{ graceful: 0, hard: 0, failed: 0, lastFailedSecondsAgo: null }, 2, 0, "number"],
    "the status page's counters, under its names",
  );
  const text = await drover.cli("status");
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    /^slot {2}pid .* requests {2}busy {2}idle {7}rss {7}cpu {3}uptime {2}heartbeat$/m,
  );
  assert.match(
    text.stdout,
    new RegExp(`^${child.slot} +${child.pid} +0 +ready .* MB +\\d+\\.\\d+ s +\\d+s +`, "m"),
  );
  assert.match(text.stdout, /^restarts: 0 graceful, 0 hard; children: 2 started, 0 failed/m);
  assert.doesNotMatch(text.stdout, /old generation or draining/, "the footnote only when it applies");

  // top, in a terminal of 120 x 40.
  const tmux = await startTmux(drover.dir.path);
  const ended = (session: string) =>
    waitFor(`top in ${session} to end`, async () => {
      const status = await tmux.exitStatus(session);
      return status !== undefined && { status };
    });
  try {
    await tmux.open("top", 120, 40, [
      process.execPath,
      CLI,
      "top",
      "--run-dir",
      drover.runDir,
      "--interval",
      "200ms",
    ]);
    const drone = json.services[0]?.droneProcesses[0]?.pid;
    const screen = await waitFor("top to show the children and the drone", async () => {
      const lines = await tmux.capture("top");
      const shown = (pid: number | undefined) =>
        lines.some((line) => new RegExp(`^\\d+ +${pid} `).test(line));
      return json.children.every((c) => shown(c.pid)) && shown(drone) && lines;
    });
    assert.match(screen[0] ?? "", new RegExp(`^drover top \\(q quits\\) .* master ${master} \\(running\\)`));
    assert.ok(screen.some((line) => /^Service math, generation 0: 1 drone /.test(line)));
    assert.ok(screen.some((line) => /^SLOT +PID +GEN +STATE +REQ\/S /.test(line)));
    // 150 workers do not fit a 120-column line: the grid goes on below, the line never wraps.
    const joined = await tmux.capture("top", true);
    assert.ok(
      joined.every((line) => line.length <= 120),
      joined.join("\n"),
    );
    assert.ok(
      joined.some((line) => /^ {7}_+$/.test(line)),
      "a grid row carried on its own line",
    );

    // The master stopped: top reads shared memory and carries on, saying so.
    process.kill(master, "SIGSTOP");
    stopped = true;
    await waitFor("top to see the master stopped", async () =>
      (await tmux.capture("top"))[0]?.includes("STOPPED"),
    );
    process.kill(master, "SIGCONT");
    stopped = false;
    await waitFor("top to see it running", async () => (await tmux.capture("top"))[0]?.includes("(running)"));

    await tmux.keys("top", "q");
    assert.deepEqual(await ended("top"), { status: 0 }, "q ends it");
    // The main screen is back, as it was (empty): nothing of top's is left on it.
    const after = (await tmux.capture("top")).filter((line) => line.trim() !== "");
    assert.deepEqual(after, ["[exited 0]"]);

    // SIGWINCH: smaller, it redraws to the new size at once (this one waits a minute between its
    // redraws) and says what no longer fits. Then Ctrl-C ends it too.
    await tmux.open("again", 100, 30, [
      process.execPath,
      CLI,
      "top",
      "--run-dir",
      drover.runDir,
      "--interval",
      "1m",
    ]);
    await waitFor("top to draw", async () => (await tmux.capture("again"))[0]?.startsWith("drover top"));
    await tmux.resize("again", 70, 12);
    const small = await waitFor("top redrawn for 70 x 12", async () => {
      const lines = await tmux.capture("again", true);
      return lines.some((line) => /^\.\.\. \d+ more lines/.test(line)) && lines;
    });
    assert.ok(small.length <= 12 && small.every((line) => line.length <= 70), small.join("\n"));
    await tmux.keys("again", "C-c");
    assert.deepEqual(await ended("again"), { status: 0 }, "Ctrl-C ends it");

    // And it ends by itself when the master does, saying so (exit 0, not a failure).
    await tmux.open("last", 100, 30, [process.execPath, CLI, "top", "--run-dir", drover.runDir]);
    await waitFor("top to draw", async () => (await tmux.capture("last"))[0]?.startsWith("drover top"));
    assert.equal((await drover.cli("stop")).status, 0);
    assert.deepEqual(await ended("last"), { status: 0 }, "it ends with the master");
    assert.ok((await tmux.capture("last")).includes(`drover top: the master (pid ${master}) has exited`));
  } finally {
    await tmux.kill();
  }
});
