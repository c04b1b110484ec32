// The messages between the master and its children over the IPC channel. Every message carries the
// `drover` tag so that apps may use the same channel for their own messages.

export type MasterMessage =
  /** The pipe of death: stop accepting, finish what is in flight, exit. */
  | { readonly drover: "quiesce" }
  /** Reply to `status`: nothing; children answer the master only. */
  | { readonly drover: "ping" };

export type ChildMessage =
  /** childInit ran and every listener is accepting. */
  | { readonly drover: "ready" }
  /** The child cannot initialise and exits with EXIT_CHILD_FATAL; `reason` says why. */
  | { readonly drover: "fatal"; readonly reason: string }
  | { readonly drover: "pong" };

export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { drover?: unknown }).drover;
  if (tag === "fatal") return typeof (value as { reason?: unknown }).reason === "string";
  return tag === "ready" || tag === "pong";
}

export function isMasterMessage(value: unknown): value is MasterMessage {
  if (typeof value !== "object" || value === null) return false;
  const tag = (value as { drover?: unknown }).drover;
  return tag === "quiesce" || tag === "ping";
}
