// The messages between the master and its children over the IPC channel. Every message carries the
// `drover` tag so that apps may use the same channel for their own messages.

export type MasterMessage =
  /** The pipe of death: stop accepting, finish what is in flight, exit. */
  | { readonly drover: "quiesce" }
  /** Your slot goes to a new child: stop writing the shared scoreboard (you are draining). */
  | { readonly drover: "detach" };

export type ChildMessage =
  /** childInit ran and every listener is accepting. */
  | { readonly drover: "ready" }
  /** The child cannot initialise and exits with EXIT_CHILD_FATAL; `reason` says why. */
  | { readonly drover: "fatal"; readonly reason: string }
  /** It no longer writes the shared scoreboard: its slot is free for a new child. */
  | { readonly drover: "detached" };

export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { drover?: unknown }).drover;
  if (tag === "fatal") return typeof (value as { reason?: unknown }).reason === "string";
  return tag === "ready" || tag === "detached";
}

export function isMasterMessage(value: unknown): value is MasterMessage {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { drover?: unknown }).drover;
  return tag === "quiesce" || tag === "detach";
}
