// Where a master's service socket is: `dispatch.sock` in its run directory (beside control.sock).
import { join } from "node:path";

/** The service socket's name in the run directory. */
export const DISPATCH_SOCKET_NAME = "dispatch.sock";

/** The service socket of the master whose run directory is `runDir`. */
export function dispatchSocketPath(runDir: string): string {
  return join(runDir, DISPATCH_SOCKET_NAME);
}
