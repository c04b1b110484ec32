// The `drover` command's side of the control socket: one request, one reply.
import { connect } from "node:net";
import { DroverError, ErrorCode } from "../errors.ts";
import type { ControlReply, ControlRequest } from "./control-server.ts";

export async function sendControl(
  path: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffered = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new DroverError(
          ErrorCode.NOT_RUNNING,
          `the master did not answer on ${path} within ${timeoutMs / 1000} s`,
        ),
      );
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.once("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      socket.end();
      resolve(JSON.parse(buffered.slice(0, newline)) as ControlReply);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new DroverError(
          ErrorCode.NOT_RUNNING,
          `no drover master answers on ${path} (${error.code}): start one with \`drover start\`, or pass the right --run-dir`,
          { cause: error },
        ),
      );
    });
    socket.once("close", () => {
      clearTimeout(timer);
      if (!buffered.includes("\n"))
        reject(new DroverError(ErrorCode.NOT_RUNNING, `the master closed ${path} without answering`));
    });
  });
}
