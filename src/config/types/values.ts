// The values config fields take beside plain numbers, strings and booleans: log levels, durations,
// signal mappings, listen specs and module specs, as a user writes them.

/** Log levels, most severe first; "silent" logs nothing. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type DurationUnit = "ms" | "s" | "m" | "h";

/** Which signal does what (see DroverConfig.signals). */
export const SIGNAL_MAPPINGS = ["drover", "apache"] as const;
export type SignalMapping = (typeof SIGNAL_MAPPINGS)[number];

/** Milliseconds as a number, or a number with a unit: `"500ms"`, `"30s"`, `"2m"`, `"1h"`. */
export type Duration = number | `${number}${DurationUnit}`;

/**
 * Where to listen. A bare port (`8080` or `"8080"`) means every IPv4 interface (host `0.0.0.0`), as
 * Apache's `Listen 8080`. `"127.0.0.1:8080"`, `"localhost:8080"`, `"[::1]:8080"` and `"*:8080"` name a
 * host. A string holding a `/` or ending in `.sock`, or starting with `unix:`, is a unix socket path;
 * a relative path starts from the config file's folder.
 */
export type ListenSpec = number | string | { port: number; host?: string } | { path: string };

/** A module to load, with its options. Only the shape is checked here; the module system reads the rest. */
export interface ModuleSpec {
  /** The module's name or path. */
  use: string;
  [option: string]: unknown;
}
