// What the control socket's commands do, as a table: each takes the request and answers with the
// fields of its reply.
import { cpuSeconds } from "../status/process-cpu.ts";
import { statusReport } from "../status/report.ts";
import type { ControlRequest } from "./control/control-server.ts";
import type { Master } from "./master.ts";

type Command = ControlRequest["command"];
type Handler<C extends Command> = (
  master: Master,
  request: Extract<ControlRequest, { command: C }>,
) => Promise<Record<string, unknown>>;

const COMMANDS: { readonly [C in Command]: Handler<C> } = {
  status: async (master) => ({ status: statusReport(master.scoreboard.snapshot(), Date.now(), cpuSeconds) }),
  reload: async (master) => ({ ...(await master.reload()) }),
  restart: async (master) => ({ ...(await master.restart()) }),
  upgrade: async (master) => ({ ...(await master.upgrade()), from: process.pid }),
  stop: async (master, request) => {
    // Answer first: the reply would not survive the socket's closing.
    setImmediate(() => void master.stop(request));
    return { stopping: true, pid: process.pid, withinMs: master.stopWithin(request) };
  },
};

/** Answers one control request for `master`. */
export function runCommand(master: Master, request: ControlRequest): Promise<Record<string, unknown>> {
  return (COMMANDS[request.command] as Handler<Command>)(master, request as never);
}
