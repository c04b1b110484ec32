// The stack watchdog thread, in a child-like process (fixtures/watchdog-child.ts) on a scoreboard this
// test creates as the master would: the test raises the slot's request word and reads the reply word,
// and the process's own log line carries the stack.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Scoreboard } from "../../../src/scoreboard/index.ts";
import { inheritedFd, isAlive, type SpawnedProcess, spawnNode } from "../../harness/process.ts";
import { makeTempDir, testShmName } from "../../harness/temp.ts";
import { waitFor } from "../../harness/wait.ts";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "watchdog-child.ts");
const SLOT = 2;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly pid: number;
  readonly role: string;
  readonly slot: number;
  readonly stackRequest?: number;
  readonly stack?: Array<{ function: string; url: string; line: number; column: number }>;
  readonly trace?: string;
  readonly omittedFrames?: number;
}

/** The process's JSON log lines whose message starts with `start`. */
function logLines(proc: SpawnedProcess, start: string): LogLine[] {
  return proc
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg.startsWith(start));
}

async function withWatchdogChild(
  mode: string,
  arg: string,
  ready: RegExp,
  run: (scoreboard: Scoreboard, proc: SpawnedProcess) => Promise<void>,
): Promise<void> {
  const scoreboard = Scoreboard.create({
    name: testShmName("watchdog"),
    serverLimit: 4,
    workerLimit: 1,
  });
  let proc: SpawnedProcess | undefined;
  try {
    scoreboard.master.prepareSlot(SLOT, 0, 1, Date.now());
    proc = await spawnNode(FIXTURE, [String(inheritedFd(0)), String(SLOT), mode, arg], {
      ready,
      fds: [scoreboard.fd],
    });
    await run(scoreboard, proc);
  } finally {
    await proc?.stop();
    scoreboard.close();
  }
}

/** Raises the request word and waits for the reply; the request's number. */
async function askForStack(scoreboard: Scoreboard, timeoutMs = 5_000): Promise<number> {
  const request = scoreboard.master.requestStack(SLOT);
  await waitFor(
    "the watchdog's reply",
    () => scoreboard.stackWords(SLOT).answered() === request,
    timeoutMs,
    20,
  );
  return request;
}

describe("the stack watchdog", () => {
  it("logs the stack of a main thread that runs JavaScript, answers each request, and resumes it", {
    timeout: 30_000,
  }, async () => {
    const dir = makeTempDir("drover-test-watchdog-");
    try {
      const told = join(dir.path, "carry-on");
      await withWatchdogChild("spin", told, /spinning/, async (scoreboard, proc) => {
        for (const request of [await askForStack(scoreboard), await askForStack(scoreboard)]) {
          const line = logLines(proc, "hung child's JavaScript stack").find(
            (l) => l.stackRequest === request,
          );
          assert.ok(line, `no stack for request ${request}:\n${proc.output()}`);
          assert.equal(line.level, 50, "logged at error level");
          assert.deepEqual([line.pid, line.role, line.slot], [proc.pid, "child", SLOT]);
          const top = line.stack?.[0];
          assert.equal(top?.function, "spinUntilTold");
          assert.ok(
            top.url.startsWith("file://") && top.url.endsWith("/fixtures/watchdog-child.ts"),
            top.url,
          );
          assert.ok(top.line > 0 && top.column > 0);
          assert.match(
            line.trace ?? "",
            /^ {4}at spinUntilTold \(file:\/\/\S+watchdog-child\.ts:\d+:\d+\)\n/,
          );
        }
        // Paused and resumed twice, the main thread still runs.
        writeFileSync(told, "");
        await proc.waitForOutput(/carried on/);
      });
    } finally {
      dir.remove();
    }
  });

  it("logs the innermost 64 frames of a deep stack and counts the others", { timeout: 30_000 }, async () => {
    const dir = makeTempDir("drover-test-watchdog-");
    try {
      const told = join(dir.path, "carry-on");
      await withWatchdogChild("deep", told, /spinning/, async (scoreboard, proc) => {
        await askForStack(scoreboard);
        const [line] = logLines(proc, "hung child's JavaScript stack");
        assert.ok(line?.stack, proc.output());
        assert.equal(line.stack.length, 64);
        assert.equal(line.stack[0]?.function, "spinUntilTold");
        assert.ok(line.stack.slice(1).every((frame) => frame.function === "deeper"));
        assert.ok((line.omittedFrames ?? 0) > 200 - 63, `omitted ${line.omittedFrames}`);
        assert.equal(line.trace?.split("\n").length, 64);
        writeFileSync(told, "");
        await proc.waitForOutput(/carried on/);
      });
    } finally {
      dir.remove();
    }
  });

  it("says a main thread blocked in native code runs no JavaScript, still answers, and leaves it unpaused", {
    timeout: 30_000,
  }, async () => {
    await withWatchdogChild("block", "4", /blocking/, async (scoreboard, proc) => {
      const request = await askForStack(scoreboard);
      assert.doesNotMatch(proc.output(), /carried on/, "the reply came while the main thread was blocked");
      const [line] = logLines(proc, "hung child: no JavaScript stack");
      assert.ok(line, proc.output());
      assert.equal(line.stackRequest, request);
      assert.match(line.msg, /not running JavaScript \(blocked in native code/);
      assert.equal(line.level, 50);
      // Once unblocked it goes on: the dropped pause does not catch it later.
      await proc.waitForOutput(/carried on\nticked/, 10_000);
      assert.equal(logLines(proc, "hung child's JavaScript stack").length, 0);
    });
  });

  it("stops, answering nothing, once its slot belongs to another process", { timeout: 30_000 }, async () => {
    await withWatchdogChild("idle", "", /watchdog online/, async (scoreboard, proc) => {
      // The master gives the slot to a new child: the old child's watchdog must not answer for it.
      scoreboard.master.prepareSlot(SLOT, 1, 1, Date.now());
      scoreboard.master.requestStack(SLOT);
      await proc.waitForOutput(/watchdog exited/);
      assert.equal(scoreboard.stackWords(SLOT).answered(), 0);
      assert.ok(isAlive(proc.pid), "the child itself goes on");
    });
  });

  it("never keeps the process alive", { timeout: 30_000 }, async () => {
    await withWatchdogChild("quiet", "", /^/, async (_scoreboard, proc) => {
      assert.deepEqual(await proc.waitForExit(10_000), { code: 0, signal: null });
    });
  });

  it("on a slot the scoreboard lacks, logs why it stopped and the process goes on", {
    timeout: 30_000,
  }, async () => {
    const scoreboard = Scoreboard.create({
      name: testShmName("watchdog"),
      serverLimit: 4,
      workerLimit: 1,
    });
    let proc: SpawnedProcess | undefined;
    try {
      proc = await spawnNode(FIXTURE, [String(inheritedFd(0)), "9", "idle"], {
        fds: [scoreboard.fd],
        ready: /the stack watchdog thread stopped/,
      });
      const [line] = logLines(proc, "the stack watchdog thread stopped");
      assert.match(JSON.stringify(line), /DROVER_ERR_SCOREBOARD_BAD_SLOT/);
      assert.ok(isAlive(proc.pid));
    } finally {
      await proc?.stop();
      scoreboard.close();
    }
  });
});
