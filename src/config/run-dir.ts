// What the run directory must allow: the master's control socket lives in it, and a socket's path
// has a hard length limit (sun_path), which a deep folder can pass without anyone noticing.
import { join } from "node:path";
import { DISPATCH_SOCKET_NAME } from "../client/socket-path.ts";
import { MAX_SOCKET_PATH_BYTES } from "./listen.ts";
import type { ConfigProblem } from "./types/problem.ts";

/** The control socket's name in the run directory. */
export const CONTROL_SOCKET_NAME = "control.sock";
export { DISPATCH_SOCKET_NAME };

/** Why `runDir` cannot hold the master's sockets, or undefined when it can. */
export function runDirProblem(runDir: string): ConfigProblem | undefined {
  // The longer of the two names decides.
  const path = join(runDir, DISPATCH_SOCKET_NAME);
  const bytes = Buffer.byteLength(path);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return undefined;
  return {
    field: "runDir",
    reason:
      `is too deep: its dispatch socket's path (${path}) would be ${bytes} bytes, ` +
      `past the ${MAX_SOCKET_PATH_BYTES} a socket path may have; choose a shorter folder`,
  };
}
