// The hook phases of a module's life, in the one order drover runs them. The first four run in the
// master at every start and restart, before any child of the new generation exists; childInit and
// childExit run inside each child; childStatus and monitor run in the master while children serve.

/** Every hook phase, in run order. */
export const PHASES = [
  "preConfig",
  "checkConfig",
  "openLogs",
  "postConfig",
  "childInit",
  "childExit",
  "childStatus",
  "monitor",
] as const;

export type Phase = (typeof PHASES)[number];

/** The process a phase's hooks run in. */
export type PhaseSite = "master" | "child";

/** Where each phase runs. */
export const PHASE_SITE: Readonly<Record<Phase, PhaseSite>> = Object.freeze({
  // Config is read, checked and acted on once per generation; `drover configtest` stops after checkConfig.
  preConfig: "master",
  checkConfig: "master",
  openLogs: "master",
  // The last chance to create what every child shares (shared memory, global locks): no child exists yet.
  postConfig: "master",
  // After the child has dropped its privileges, before it takes work.
  childInit: "child",
  // When the child is about to exit, whatever the reason.
  childExit: "child",
  // When the master sees a child start, exit or vanish.
  childStatus: "master",
  // Periodically, from the master's maintenance loop.
  monitor: "master",
});

const known: ReadonlySet<string> = new Set(PHASES);

/** Whether `value` names a hook phase. */
export function isPhase(value: unknown): value is Phase {
  return typeof value === "string" && known.has(value);
}
