// The `drover` command's side of the control socket: one request, one reply, matched by id.
import { connect } from "node:net";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { ControlId, ControlReply, ControlRequest } from "./control-protocol.ts";

let lastId = 0;

/**
 * Sends `request` and resolves with its reply. Without `timeoutMs` it waits as long as the master lives
 * (its own deadlines bound every operation); a master that exits closes the socket, which rejects.
 */
export async function sendControl(
  path: string,
  request: ControlRequest,
  timeoutMs?: number,
): Promise<ControlReply> {
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = "";
    const fail = (error: DroverError) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            fail(
              new DroverError(
                ErrorCode.CONTROL_TIMEOUT,
                `the master did not answer on ${path} within ${timeoutMs / 1000} s: it may still be ` +
                  "working on the request (see `drover status` and its log), or be stopped (SIGSTOP)",
              ),
            );
          }, timeoutMs);
    socket.setEncoding("utf8");
    socket.once("connect", () => socket.write(`${JSON.stringify({ id, ...request })}\n`));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(replyTo(id, buffered.slice(0, newline), path));
      } catch (error) {
        fail(error as DroverError);
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => fail(connectError(path, error)));
    socket.once("close", () => {
      if (!buffered.includes("\n"))
        fail(new DroverError(ErrorCode.NOT_RUNNING, `the master closed ${path} without answering`));
    });
  });
}

/**
 * The reply in `line` to request `id`. A reply without an id is the server turning the connection
 * away (too many connections, a bad line) or an older master: either way it answers this request,
 * the only one sent on the connection.
 */
function replyTo(id: ControlId, line: string, path: string): ControlReply {
  let reply: unknown;
  try {
    reply = JSON.parse(line);
  } catch {
    reply = undefined;
  }
  const fields = (typeof reply === "object" && reply !== null ? reply : {}) as Record<string, unknown>;
  if (typeof fields.ok !== "boolean" || (fields.id !== undefined && fields.id !== id)) {
    throw new DroverError(
      ErrorCode.CONTROL_BAD_REPLY,
      `what answers on ${path} is not a drover master (it replied ${JSON.stringify(line.slice(0, 200))} ` +
        `to request ${id}): check --run-dir, and that the drover command and the master are the same version`,
    );
  }
  return fields as ControlReply;
}

function connectError(path: string, error: NodeJS.ErrnoException): DroverError {
  if (error.code === "EACCES" || error.code === "EPERM") {
    return new DroverError(
      ErrorCode.CONTROL_PERMISSION,
      `permission denied on ${path}: run as the user that started the master (or root)`,
      { cause: error },
    );
  }
  return new DroverError(
    ErrorCode.NOT_RUNNING,
    `no drover master answers on ${path} (${error.code}): start one with \`drover start\`, or pass the right --run-dir`,
    { cause: error },
  );
}
