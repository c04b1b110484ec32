// The embedded transport: callers reach the master's services over a Unix socket in its run directory.
export type { EmbeddedLimits, EmbeddedLog, EmbeddedServer } from "./listen.ts";
export { listenEmbedded } from "./listen.ts";
