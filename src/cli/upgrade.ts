// `drover upgrade`: the running master starts a new master from the installed code on its sockets,
// and stops gracefully once that one serves (see src/master/upgrade/). This asks for it over the
// control socket and waits for the outcome.
import { sendControl } from "../master/control/control-client.ts";
import { runFiles } from "../master/run/run-files.ts";
import { EXIT_FAILED, EXIT_OK } from "./exit-codes.ts";
import { masterOf } from "./remote.ts";

/** Exits 0 once the new master serves, 1 (saying why) when the old one serves on. */
export async function upgradeCommand(runDir: string, timeoutMs?: number): Promise<number> {
  masterOf(runDir);
  const reply = await sendControl(runFiles(runDir).controlSocket, { command: "upgrade" }, timeoutMs);
  if (!reply.ok) {
    console.error(`drover upgrade: ${reply.error.message} [${reply.error.code}]`);
    return EXIT_FAILED;
  }
  console.log(
    `drover upgrade: master ${String(reply.pid)} serves, generation ${String(reply.generation)}; ` +
      `master ${String(reply.from)} stops gracefully`,
  );
  return EXIT_OK;
}
