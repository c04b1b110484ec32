// A hung child: its heartbeat gets older than heartbeatTimeout, so the master asks it for its
// JavaScript stack through the scoreboard, the child's watchdog thread logs it, and the master kills
// it and replaces it, while the other children keep serving. No process of the pool ever listens on a
// port besides the configured listener: no inspector, not even when a child gets SIGUSR1. A stopped
// child and one blocked in native code cannot give a stack, and the log says why. With hungChildStack
// off, no child runs a watchdog thread and a hung one is killed without its stack.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { isAlive, waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, type RunningDrover } from "../support/drover.ts";
import { listeningTcpPorts, watchListeningPorts } from "../support/listening-ports.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

// Losing one child of two leaves 2 idle workers, below minSpareWorkers: it is replaced.
const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 3, heartbeatTimeout: "1s" };
const STUCK = /"slot":\d+,"childPid":(\d+),[^\n]*"heartbeatAgeMs":(\d+),[^\n]*event loop is stuck/;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly pid: number;
  readonly role?: string;
  readonly childPid?: number;
  readonly stack?: Array<{ function: string; url: string; line: number; column: number }>;
  readonly trace?: string;
}

/** The pool's JSON log lines, in order, with the offset of each in the output. */
function logLines(drover: RunningDrover): Array<LogLine & { at: number }> {
  const lines: Array<LogLine & { at: number }> = [];
  let at = 0;
  for (const text of drover.proc.output().split("\n")) {
    if (text.startsWith("{")) lines.push({ ...(JSON.parse(text) as LogLine), at });
    at += text.length + 1;
  }
  return lines;
}

/**
 * Sends a request that never gets a reply (its child is stuck until the master kills it), and waits
 * for the master's log line about the stuck child, matched by `line`.
 */
async function hangAChild(drover: RunningDrover, path: string, line = STUCK) {
  const hang = httpGet(drover.port, path).then(
    () => "answered",
    () => "failed",
  );
  const stuck = await waitFor(
    "the master to find a stuck child",
    () => drover.proc.output().match(line),
    20_000,
  );
  return { hang, stuck, hung: Number(stuck[1]) };
}

/** Waits until the pool serves with as many children as before, none of them `gone`. */
async function replaced(drover: RunningDrover, gone: number, count: number): Promise<number[]> {
  return waitFor("a child in place of the hung one", async () => {
    const now = pids(serving(await drover.status()));
    return now.length >= count && !now.includes(gone) && now;
  });
}

function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((task) =>
    readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8").trim(),
  );
}

it("logs a hung child's stack from the child itself, with no port open, then kills and replaces it", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  assert.equal(before.length, 2);
  for (const pid of before) assert.ok(threadNames(pid).includes("drover-watchdog"), `child ${pid}'s threads`);

  // From before the hang until the hung child is gone, every process of the pool is looked at.
  const ports = watchListeningPorts(() => [drover.proc.pid, ...before], new Set([drover.port]));
  const { hang, stuck, hung } = await hangAChild(drover, "/hang");
  assert.ok(before.includes(hung));
  assert.ok(Number(stuck[2]) > 1_000, "its heartbeat was older than heartbeatTimeout");

  // Fresh connections keep being served by the other child while the master deals with it.
  let served = 0;
  const deadline = Date.now() + 20_000;
  while (!drover.proc.output().includes("stuckInALoop") || served < 5) {
    assert.ok(Date.now() < deadline, `no stack of the hung child in the log:\n${drover.proc.output()}`);
    const reply = await httpGet(drover.port, "/");
    assert.equal(reply.status, 200);
    assert.notEqual(servedBy(reply.body).pid, hung);
    served++;
    await delay(50);
  }
  assert.equal(await hang, "failed");
  await waitForPidsGone([hung], 10_000);
  assert.deepEqual(ports.stop(), [], "listening ports besides the configured listener (pid:port)");

  const lines = logLines(drover);
  const asked = lines.find(
    (line) => line.childPid === hung && line.msg.includes("reading its JavaScript stack"),
  );
  const stack = lines.find((line) => line.msg === "hung child's JavaScript stack");
  const killing = lines.find(
    (line) => line.childPid === hung && line.msg.startsWith("hung child: it logged"),
  );
  assert.ok(asked && stack && killing, drover.proc.output());
  assert.ok(asked.at < stack.at && stack.at < killing.at, "asked, then the child's stack, then the kill");
  assert.deepEqual(
    [stack.pid, stack.role, stack.level],
    [hung, "child", 50],
    "a JSON line of the child's own",
  );
  const frame = stack.stack?.find((f) => f.function === "stuckInALoop");
  assert.ok(
    frame?.url.startsWith("file://") && frame.url.endsWith("fixtures/generations/app.ts"),
    frame?.url,
  );
  assert.match(stack.trace ?? "", /at stuckInALoop \(file:\/\/[^)]*fixtures\/generations\/app\.ts:\d+:\d+\)/);

  const recovered = await replaced(drover, hung, 2);
  assert.ok(recovered.some((pid) => !before.includes(pid)));
  assert.equal((await drover.request("/")).status, 200);
});

it("says a SIGSTOPped hung child is stopped, reads no stack, and kills and replaces it", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  const stopped = before[0] as number;
  process.kill(stopped, "SIGSTOP");
  const [line] = await waitFor(
    "the master to say the child is stopped",
    () => drover.proc.output().match(/"childPid":\d+,[^\n]*no stack \(the process is stopped \(state T/),
    20_000,
  );
  assert.match(line, new RegExp(`"childPid":${stopped},`));
  await waitForPidsGone([stopped], 10_000);
  assert.doesNotMatch(drover.proc.output(), /hung child's JavaScript stack/);
  await replaced(drover, stopped, 2);
});

it("says a child blocked in native code runs no JavaScript, then kills and replaces it", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const { hang, hung } = await hangAChild(drover, "/block?s=10");
  await waitForPidsGone([hung], 10_000);
  assert.equal(await hang, "failed");
  const lines = logLines(drover);
  const none = lines.find(
    (line) => line.pid === hung && line.msg.startsWith("hung child: no JavaScript stack"),
  );
  const killing = lines.find(
    (line) => line.childPid === hung && line.msg.startsWith("hung child: it logged"),
  );
  assert.ok(none && killing, drover.proc.output());
  assert.match(none.msg, /not running JavaScript/);
  assert.ok(none.at < killing.at, "the child answered before the master killed it");
  await replaced(drover, hung, 2);
});

it("opens no port and keeps serving when a child gets SIGUSR1", { timeout: 60_000 }, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  const target = before[0] as number;
  const argv = readFileSync(`/proc/${target}/cmdline`, "utf8").split("\0");
  const nodeHasFlag = process.allowedNodeEnvironmentFlags.has("--disable-sigusr1");
  assert.equal(argv.includes("--disable-sigusr1"), nodeHasFlag, argv.join(" "));
  const signalledAt = Date.now();
  process.kill(target, "SIGUSR1");
  // Heartbeats stamped well after the signal: the child has taken it and gone on.
  await waitFor("a heartbeat from the signalled child", async () => {
    const child = (await drover.status()).children.find((c) => c.pid === target);
    return child && Date.now() - child.heartbeatAgeMs > signalledAt + 500;
  });
  assert.ok(isAlive(target));
  assert.deepEqual(listeningTcpPorts(target), [drover.port], "the child listens on the configured port only");
  assert.doesNotMatch(drover.proc.output(), /Debugger listening|inspector/i);
  assert.deepEqual(pids(serving(await drover.status())), before);
  assert.equal((await drover.request("/")).status, 200);
});

it("with hungChildStack off, runs no watchdog and kills a hung child without its stack", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, hungChildStack: false });
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  for (const pid of before) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    assert.ok(!argv.some((arg) => arg.startsWith("--inspect")), `child ${pid}: ${argv.join(" ")}`);
    assert.ok(!threadNames(pid).includes("drover-watchdog"), `child ${pid} runs no watchdog thread`);
  }

  const { hang, hung } = await hangAChild(
    drover,
    "/hang",
    /"childPid":(\d+),[^\n]*event loop is stuck: killing it \(hungChildStack is off/,
  );
  assert.equal(await hang, "failed");
  await waitForPidsGone([hung], 10_000);
  assert.doesNotMatch(drover.proc.output(), /stuckInALoop|reading its JavaScript stack/);
  await replaced(drover, hung, 2);
});
