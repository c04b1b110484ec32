// `drover status`: the JSON report's fields, the text form's mod_status grid and key, and an answer read
// from shared memory even while the master itself is stopped (SIGSTOP).
import assert from "node:assert/strict";
import { it } from "node:test";
import { WORKER_STATE_KEY } from "../../src/scoreboard/index.ts";
import { isAlive, processStat } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import { board, openBoard, request, SLEEPY_APP, waitForBusy } from "../support/lifecycle.ts";
import { RawConnection } from "../support/load.ts";

const CONFIG = { startServers: 2, workersPerChild: 3 };

/** The master's start time (ms since the epoch) in its scoreboard's header. */
function boardStartTime(runDir: string): number {
  const scoreboard = openBoard(runDir);
  try {
    return scoreboard.snapshot().startTime;
  } finally {
    scoreboard.close();
  }
}

it("status --json reports generation, uptime, totals and every child's record", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());

  for (let i = 0; i < 3; i++) assert.equal((await drover.request()).status, 200);
  // The server side of each connection closes a moment after the client has its answer.
  await waitFor("every worker idle again", () => board(drover.runDir).totals.busyWorkers === 0);
  const startTime = boardStartTime(drover.runDir);
  const asked = Date.now();
  const status = await drover.status();
  const answered = Date.now();
  assert.equal(status.generation, 0);
  // Whole seconds since the master's start time on the board, as of a moment while the command ran.
  const [least, most] = [asked, answered].map((now) => Math.floor((now - startTime) / 1000));
  assert.ok(
    status.uptimeSeconds !== null &&
      status.uptimeSeconds >= (least ?? 0) &&
      status.uptimeSeconds <= (most ?? 0),
    `uptime ${status.uptimeSeconds} s, for a start ${asked - startTime}..${answered - startTime} ms before`,
  );
  assert.deepEqual(status.damaged, []);
  assert.equal(status.masterPid, drover.proc.pid);
  assert.equal(status.totals.children, 2);
  assert.equal(status.totals.busyWorkers, 0);
  assert.equal(status.totals.idleWorkers, 6);
  assert.equal(status.totals.requests, 3);
  assert.equal(status.children.length, 2);
  for (const child of status.children) {
    for (const field of [
      "slot",
      "pid",
      "generation",
      "requests",
      "busyWorkers",
      "idleWorkers",
      "heartbeatAgeMs",
    ])
      assert.equal(typeof child[field as keyof typeof child], "number", `children[].${field}`);
    assert.equal(typeof child.quiescing, "boolean");
    assert.equal(typeof child.state, "string");
    assert.equal(child.generation, 0);
    assert.equal(child.quiescing, false);
    assert.equal(child.idleWorkers + child.busyWorkers, 3);
    assert.ok(isAlive(child.pid), `child ${child.pid} runs`);
    assert.equal(processStat(child.pid)?.parent, drover.proc.pid, "the master is each child's parent");
  }
  assert.deepEqual(status.children.map((c) => c.slot).sort(), [0, 1]);
  assert.equal(
    status.children.reduce((sum, c) => sum + c.requests, 0),
    3,
  );
});

it("counts every byte and request of keep-alive connections, the same request line repeated too", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { ...CONFIG, startServers: 1 } });
  t.after(() => drover.stop());
  let sent = 0;
  for (const paths of [
    ["/", "/", "/?a=1"],
    ["/?a=1", "/"],
  ]) {
    const connection = await RawConnection.open(drover.port);
    try {
      for (const path of paths) assert.equal((await connection.get(path)).status, 200);
      sent += connection.socket.bytesRead;
    } finally {
      connection.close();
    }
    // The next connection reuses this one's slot only once the child has seen it close (review T1).
    await waitFor(
      "the connection's worker slot to be free",
      () => board(drover.runDir).totals.busyWorkers === 0,
    );
  }
  await waitFor("five requests counted", () => board(drover.runDir).totals.requests === 5);
  assert.equal(board(drover.runDir).totals.bytes, sent, "the bytes the client read");
  // Both connections took the same worker slot (the most recently freed is reused first).
  const scoreboard = openBoard(drover.runDir);
  t.after(() => scoreboard.close());
  const served = scoreboard.snapshot().processes[0]?.workers.filter((w) => w.requests > 0);
  assert.deepEqual(
    served?.map((w) => [w.requests, w.request]),
    [[5, "GET /"]],
  );
});

it("status (text) shows the summary, one line per child, the scoreboard grid and its key", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());

  const json = await drover.status();
  const text = await drover.cli("status");
  assert.equal(text.status, 0, text.stderr);
  const out = text.stdout;
  assert.match(out, new RegExp(`drover master ${drover.proc.pid}, generation 0, up \\d`));
  assert.match(out, /2 children, 0 busy and 6 idle workers/);
  for (const child of json.children) {
    assert.match(
      out,
      new RegExp(`^${child.slot}\\s+${child.pid}\\s+0\\s`, "m"),
      `a line for child ${child.pid}`,
    );
    // Its row of the grid: one letter per worker slot, all idle.
    assert.match(out, new RegExp(`^\\s+${child.slot}\\s+___$`, "m"));
  }
  assert.match(out, /^Scoreboard:$/m);
  assert.match(out, /^Key:$/m);
  for (const [letter, meaning] of WORKER_STATE_KEY) assert.ok(out.includes(`"${letter}" ${meaning}`), letter);
});

it("status answers from shared memory while the master is stopped by SIGSTOP", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  const master = drover.proc.pid;
  t.after(async () => {
    if (isAlive(master)) process.kill(master, "SIGCONT");
    await drover.stop();
  });

  const before = await drover.status();
  process.kill(master, "SIGSTOP");
  await waitFor("the master to be stopped", () => processStat(master)?.state === "T", 5_000);

  // A request in flight shows on the board: the children serve and write it while the master sleeps.
  // It lasts long enough for the commands (a few seconds each to start under heavy load) to see it.
  const slow = request({ port: drover.port }, "/?sleep=12000");
  await waitForBusy(drover);
  const during = await drover.status();
  assert.equal(processStat(master)?.state, "T", "the master was stopped while status answered");
  assert.equal(during.masterPid, master);
  assert.ok(during.totals.busyWorkers >= 1, "status shows the request in flight");
  assert.deepEqual(during.children.map((c) => c.pid).sort(), before.children.map((c) => c.pid).sort());
  const text = await drover.cli("status");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`drover master ${master}, generation 0`));
  assert.match(text.stdout, /Scoreboard:/);
  assert.equal(processStat(master)?.state, "T", "the master is still stopped");
  assert.equal((await slow).status, 200);

  process.kill(master, "SIGCONT");
  await waitFor("the master to run again", () => processStat(master)?.state !== "T", 5_000);
  assert.equal((await drover.request()).status, 200);
  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  assert.deepEqual(await drover.proc.waitForExit(), { code: 0, signal: null });
});
