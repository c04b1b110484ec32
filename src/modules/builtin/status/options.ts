// The status module's options, read and checked once, when the config names the module.
import { type AccessRule, readAccessRule } from "../access.ts";
import { ModuleOptions } from "../options.ts";

export interface StatusOptions {
  /** Where the page is served; matched exactly, the query aside. */
  readonly path: string;
  /** Seconds between automatic reloads of the HTML page; 0 is off. */
  readonly refresh: number;
  readonly access: AccessRule;
}

const DEFAULT_PATH = "/server-status";
/** The longest refresh interval the option and `?refresh=N` accept, in seconds. */
export const MAX_REFRESH_SECONDS = 3600;

export function readStatusOptions(options: Readonly<Record<string, unknown>>): StatusOptions {
  const read = new ModuleOptions("status", options, ["path", "refresh", "allow", "token"]);
  return {
    path: read.path("path", DEFAULT_PATH),
    refresh: read.integer("refresh", 0, 0, MAX_REFRESH_SECONDS),
    access: readAccessRule(read),
  };
}
