// How the master judges a child's exit: from what it knows of the child (its phase, the master's plan
// for it, its generation) and how it ended, what to log, whether it counts as failed, and what to do.
// A pure function, so that every case can be checked in a table (test/master/children/exits.test.ts).
import { EXIT_CHILD_CRASHED, EXIT_CHILD_FATAL, EXIT_CHILD_SICK } from "../../protocol/exit-codes.ts";
import type { ChildPhase, ExitPlan, RetireReason } from "./child-phase.ts";

export interface ExitFacts {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly phase: ChildPhase;
  readonly plan: ExitPlan | undefined;
  readonly retiring: RetireReason | undefined;
  /** It had said it was ready. */
  readonly wasReady: boolean;
  /** The child's generation: the one serving, one still starting (first start or reload), or an older one. */
  readonly generation: "serving" | "starting" | "old";
  /** A child of that generation has been ready. */
  readonly hadHealthyChild: boolean;
  readonly stopping: boolean;
}

export type ExitAction =
  | "none"
  /** Start another child in its place now. */
  | "replace"
  /** Spawn one child at a time from now on (maintenance replaces it). */
  | "slow-spawn"
  /** Its generation's start fails. */
  | "fail-start"
  /** No child of the serving generation can initialise: the master stops. */
  | "stop-master";

export interface ExitVerdict {
  /** Counted in childrenFailed. */
  readonly failed: boolean;
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly message: string;
  readonly action: ExitAction;
}

const verdict = (
  failed: boolean,
  level: ExitVerdict["level"],
  message: string,
  action: ExitAction = "none",
): ExitVerdict => ({ failed, level, message, action });

const START_TIMEOUT = "a child was not ready within childStartTimeout: killed";

export function classifyExit(facts: ExitFacts): ExitVerdict {
  const { code, generation, plan } = facts;
  const how = facts.signal === null ? `code ${code}` : `signal ${facts.signal}`;

  // Whatever ended it, a child of a generation being started that never was ready fails that start.
  if (generation === "starting" && !facts.wasReady && !facts.stopping) {
    return verdict(true, "error", startFailure(facts), "fail-start");
  }
  if (code === EXIT_CHILD_FATAL) {
    if (generation === "old" || facts.stopping)
      return verdict(true, "warn", "a child of a previous generation could not initialise");
    return facts.hadHealthyChild
      ? verdict(true, "error", "a child could not initialise; spawning one at a time", "slow-spawn")
      : verdict(
          true,
          "fatal",
          "no child of the serving generation could initialise; stopping",
          "stop-master",
        );
  }
  if (code === EXIT_CHILD_SICK) {
    return verdict(true, "error", "a child was short of a resource; spawning one at a time", "slow-spawn");
  }
  if (saidItCrashed(facts) || code === EXIT_CHILD_CRASHED) {
    // It logged why itself. Its replacement was forked when it said it crashed, if the master heard
    // that before the exit (replaceCrashed forks one replacement per child, whichever asks first).
    const what = saidItCrashed(facts)
      ? "a child crashed on an uncaught exception (logged above)"
      : "a child gave up serving (its log says why, above)";
    return verdict(true, "error", what, replaceIf(facts));
  }
  if (plan === "hung")
    return verdict(true, "error", "killed a child whose event loop was stuck", replaceIf(facts));
  if (plan === "start-timeout") return verdict(true, "error", START_TIMEOUT, replaceIf(facts));
  if (plan === "detach-timeout") {
    return verdict(
      true,
      "error",
      "a draining child did not give its scoreboard slot up within heartbeatTimeout (its event loop was blocked): killed",
    );
  }
  if (plan !== undefined) {
    if (plan === "drain-timeout")
      return verdict(
        false,
        "warn",
        "a child did not finish draining within drainTimeout (and its childExit hooks within hookTimeout): killed",
      );
    // Told to exit at once, or SIGKILLed after a grace: how it ended is the master's doing.
    const killedByUs = facts.phase === "killing";
    if (!killedByUs && (facts.signal !== null || code !== 0)) {
      return verdict(true, "error", `a draining child exited with ${how}`);
    }
    if (plan === "recycle") return verdict(false, "info", `child retired (${facts.retiring ?? "recycled"})`);
    return verdict(false, "debug", "child exited");
  }
  if (facts.stopping) return verdict(false, "debug", "child exited");
  return verdict(true, "error", "a child exited unexpectedly", replaceIf(facts));
}

// Why a child of a starting generation never became ready (the caller adds its exit status).
function startFailure(facts: ExitFacts): string {
  if (facts.code === EXIT_CHILD_FATAL) return "a child could not initialise";
  if (facts.code === EXIT_CHILD_SICK) return "a child was short of a resource before it was ready";
  if (saidItCrashed(facts) || facts.code === EXIT_CHILD_CRASHED)
    return "a child crashed on an uncaught exception (logged above) before it was ready";
  if (facts.plan === "start-timeout") return START_TIMEOUT;
  return "a child exited before it was ready";
}

// The child told the master it caught an uncaught exception.
function saidItCrashed(facts: ExitFacts): boolean {
  return facts.plan === "crash" || facts.retiring === "crash";
}

// A child that was still expected to serve is replaced now, unless its generation is on its way out.
function replaceIf(facts: ExitFacts): ExitAction {
  return facts.generation === "serving" && !facts.stopping ? "replace" : "none";
}
