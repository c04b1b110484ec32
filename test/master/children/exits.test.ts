// classifyExit, case by case: how the master judges a child's exit from its phase, the master's plan
// for it, its generation and how it ended (what to log, whether it failed, what to do next).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyExit, type ExitFacts } from "../../../src/master/children/exits.ts";
import { EXIT_CHILD_CRASHED, EXIT_CHILD_FATAL, EXIT_CHILD_SICK } from "../../../src/protocol/exit-codes.ts";

const SERVING: ExitFacts = {
  code: 0,
  signal: null,
  phase: "ready",
  plan: undefined,
  retiring: undefined,
  wasReady: true,
  generation: "serving",
  hadHealthyChild: true,
  stopping: false,
};

type Row = [
  name: string,
  facts: Partial<ExitFacts>,
  failed: boolean,
  level: string,
  action: string,
  message?: RegExp,
];

const TABLE: Row[] = [
  // Can it initialise?
  [
    "fatal while its generation starts",
    { code: EXIT_CHILD_FATAL, phase: "starting", wasReady: false, generation: "starting" },
    true,
    "error",
    "fail-start",
  ],
  [
    "fatal, none of the serving generation ever ready",
    { code: EXIT_CHILD_FATAL, phase: "starting", wasReady: false, hadHealthyChild: false },
    true,
    "fatal",
    "stop-master",
  ],
  [
    "fatal, the generation has served",
    { code: EXIT_CHILD_FATAL, phase: "starting", wasReady: false },
    true,
    "error",
    "slow-spawn",
  ],
  ["fatal, an old generation's", { code: EXIT_CHILD_FATAL, generation: "old" }, true, "warn", "none"],
  ["fatal while the master stops", { code: EXIT_CHILD_FATAL, stopping: true }, true, "warn", "none"],
  ["sick", { code: EXIT_CHILD_SICK }, true, "error", "slow-spawn"],
  // Crashes.
  [
    "an uncaught exception, after saying so (replaceCrashed forks one replacement per child)",
    { code: EXIT_CHILD_CRASHED, phase: "draining", plan: "crash", retiring: "crash" },
    true,
    "error",
    "replace",
    /crashed on an uncaught exception \(logged above\)/,
  ],
  [
    "the crash code, its message not heard before the exit (or it could not accept any more)",
    { code: EXIT_CHILD_CRASHED },
    true,
    "error",
    "replace",
    /gave up serving \(its log says why/,
  ],
  [
    "an old generation's draining child crashes",
    { code: EXIT_CHILD_CRASHED, phase: "draining", plan: "generation", generation: "old", retiring: "crash" },
    true,
    "error",
    "none",
    /crashed on an uncaught exception/,
  ],
  [
    "killed by a signal nobody sent from here (OOM)",
    { code: null, signal: "SIGKILL" },
    true,
    "error",
    "replace",
    /unexpectedly/,
  ],
  ["exits 0 on its own while serving", { code: 0 }, true, "error", "replace", /unexpectedly/],
  [
    "exits before it was ready, its generation starting",
    { code: 1, phase: "starting", wasReady: false, generation: "starting" },
    true,
    "error",
    "fail-start",
    /before it was ready/,
  ],
  ["an old generation's child crashes", { code: 1, generation: "old" }, true, "error", "none"],
  [
    "crashes before it was ready, its generation starting (review H1: the start waited forever)",
    {
      code: EXIT_CHILD_CRASHED,
      phase: "draining",
      plan: "crash",
      retiring: "crash",
      wasReady: false,
      generation: "starting",
    },
    true,
    "error",
    "fail-start",
    /crashed on an uncaught exception \(logged above\) before it was ready/,
  ],
  [
    "short of a resource before it was ready, its generation starting",
    { code: EXIT_CHILD_SICK, phase: "starting", wasReady: false, generation: "starting" },
    true,
    "error",
    "fail-start",
    /short of a resource before it was ready/,
  ],
  [
    "exits after it was ready, its generation still starting",
    { code: 1, generation: "starting" },
    true,
    "error",
    "none",
    /unexpectedly/,
  ],
  [
    "a draining child crashes",
    { code: 1, phase: "draining", plan: "generation" },
    true,
    "error",
    "none",
    /draining child exited with code 1/,
  ],
  // The master ended it for cause.
  [
    "hung, killed",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "hung" },
    true,
    "error",
    "replace",
    /stuck/,
  ],
  [
    "not ready in time, its generation starting",
    {
      code: null,
      signal: "SIGKILL",
      phase: "killing",
      plan: "start-timeout",
      wasReady: false,
      generation: "starting",
    },
    true,
    "error",
    "fail-start",
  ],
  [
    "not ready in time, replacing a crashed one",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "start-timeout", wasReady: false },
    true,
    "error",
    "replace",
    /childStartTimeout/,
  ],
  [
    "asked to give its slot up, it did not answer in time",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "detach-timeout", generation: "old" },
    true,
    "error",
    "none",
    /within heartbeatTimeout/,
  ],
  // Planned: never failed (newcomer A1).
  [
    "retired: connections",
    { phase: "draining", plan: "recycle", retiring: "connections" },
    false,
    "info",
    "none",
    /child retired \(connections\)/,
  ],
  [
    "retired: memory",
    { phase: "draining", plan: "recycle", retiring: "memory" },
    false,
    "info",
    "none",
    /child retired \(memory\)/,
  ],
  ["drained after a reload", { phase: "draining", plan: "generation" }, false, "debug", "none"],
  ["retired for idleness", { phase: "draining", plan: "idle" }, false, "debug", "none"],
  ["gave its slot up, then drained", { phase: "detached", plan: "generation" }, false, "debug", "none"],
  ["graceful stop", { phase: "draining", plan: "stop", stopping: true }, false, "debug", "none"],
  [
    "hard stop, exited when told",
    { phase: "killing", plan: "hard-stop", stopping: true },
    false,
    "debug",
    "none",
  ],
  [
    "hard stop, SIGKILLed after the grace",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "hard-stop" },
    false,
    "debug",
    "none",
  ],
  [
    "a starting child of a failed reload, stopped",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "generation", generation: "old" },
    false,
    "debug",
    "none",
  ],
  [
    "past its drain deadline",
    { code: null, signal: "SIGKILL", phase: "killing", plan: "drain-timeout" },
    false,
    "warn",
    "none",
    /drainTimeout/,
  ],
  ["any exit while the master stops", { code: 0, stopping: true }, false, "debug", "none"],
];

describe("classifyExit", () => {
  for (const [name, facts, failed, level, action, message] of TABLE) {
    it(name, () => {
      const verdict = classifyExit({ ...SERVING, ...facts });
      assert.deepEqual(
        { failed: verdict.failed, level: verdict.level, action: verdict.action },
        { failed, level, action },
      );
      if (message) assert.match(verdict.message, message);
    });
  }
});
