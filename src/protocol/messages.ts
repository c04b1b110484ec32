// The messages between the master and its children over the IPC channel. Every message carries the
// `drover` tag so that apps may use the same channel for their own messages. Each side checks what it
// receives against a table of the messages it knows; anything else is ignored, never acted on.

/** Why a child asks to retire: a recycling limit it reached, or an uncaught exception. */
const RETIRE_REASONS = ["connections", "requests", "memory", "age", "crash"] as const;
export type RetireReasonName = (typeof RETIRE_REASONS)[number];

export type MasterMessage =
  /** The pipe of death: stop accepting, finish what is in flight within `deadlineMs`, exit. */
  | { readonly drover: "quiesce"; readonly deadlineMs: number }
  /** Your slot goes to a new child: stop writing the shared scoreboard (you are draining). */
  | { readonly drover: "detach" }
  /** A hard stop: exit now, without finishing. */
  | { readonly drover: "exit" }
  /**
   * To a drone: you take no new call and leave once what you hold is done (the quiesce follows then):
   * show it (`G`). A listener child ignores it.
   */
  | { readonly drover: "leaving" };

export type ChildMessage =
  /** childInit ran and every listener is accepting. */
  | { readonly drover: "ready" }
  /** The child cannot initialise and exits with EXIT_CHILD_FATAL; `reason` says why. */
  | { readonly drover: "fatal"; readonly reason: string }
  /** It no longer writes the shared scoreboard: its slot is free for a new child. */
  | { readonly drover: "detached" }
  /**
   * It reached a recycling limit and would like a replacement: it keeps serving until the master tells
   * it to quiesce. For "crash" it has already stopped accepting and drains on its own.
   */
  | { readonly drover: "retire"; readonly reason: RetireReasonName };

type Shape = (message: Record<string, unknown>) => boolean;

const MASTER_MESSAGES: Readonly<Record<MasterMessage["drover"], Shape>> = {
  quiesce: (m) => Number.isInteger(m.deadlineMs) && (m.deadlineMs as number) >= 0,
  detach: () => true,
  exit: () => true,
  leaving: () => true,
};

const CHILD_MESSAGES: Readonly<Record<ChildMessage["drover"], Shape>> = {
  ready: () => true,
  fatal: (m) => typeof m.reason === "string",
  detached: () => true,
  retire: (m) => (RETIRE_REASONS as readonly unknown[]).includes(m.reason),
};

function matches(table: Readonly<Record<string, Shape>>, value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  const tag = message.drover;
  return typeof tag === "string" && Object.hasOwn(table, tag) && (table[tag] as Shape)(message);
}

export function isChildMessage(value: unknown): value is ChildMessage {
  return matches(CHILD_MESSAGES, value);
}

export function isMasterMessage(value: unknown): value is MasterMessage {
  return matches(MASTER_MESSAGES, value);
}
