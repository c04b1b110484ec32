// The access log (accessLog): one line per request in the child's own log, so it carries the child's
// pid, role, slot and generation, written once the response finished, or once its connection closed
// before it did (`aborted: true`). Off, none of this is built: the server's accounting is the worker
// slots themselves, and the request path does nothing more.
//
// `bytes` is the body as it went to the socket: the socket's bytesWritten since the previous response
// on its connection finished, less this response's header block. It costs two reads a request and
// nothing on each write (wrapping res.write and res.end would), and it counts what was really sent: not
// a HEAD's or a 304's body that Node drops, a compressing middleware's output as compressed. A chunked
// body counts its chunk framing (a few bytes a chunk), and a client that went away counts what had
// reached the socket.
import { type IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log/logger.ts";
import type { RequestAccounting } from "./load-app.ts";

/** What the line needs of a request that has not finished yet. */
class Started {
  readonly request: IncomingMessage;
  readonly at: number;
  // Read as the request came: a router may rewrite request.url meanwhile (Express's mounted ones do).
  readonly url: string;
  // Read now: a socket that closed no longer knows its peer, unless it was asked before.
  readonly remote: string | undefined;

  constructor(request: IncomingMessage, at: number) {
    this.request = request;
    this.at = at;
    this.url = request.url ?? "";
    this.remote = request.socket.remoteAddress;
  }
}

/** Node's own field: the header block it wrote (latin1, so one byte a character), once it did. */
type SentResponse = ServerResponse & { readonly _header?: string | null };

/** `accounting`, and one access line per request in `log`. */
export function withAccessLog(accounting: RequestAccounting, log: Logger): RequestAccounting {
  const started = new Map<ServerResponse, Started>();
  // Each connection's bytesWritten when its previous response finished: a pipelined response's bytes
  // reach the socket only after the one before it finished.
  const before = new WeakMap<Socket, number>();

  const line = (response: SentResponse, socket: Socket | null, aborted: boolean) => {
    const request = started.get(response);
    if (request === undefined) return;
    started.delete(response);
    const written = socket?.bytesWritten ?? 0;
    const base = socket ? (before.get(socket) ?? 0) : 0;
    if (socket && !aborted) before.set(socket, written);
    const header = response._header?.length ?? 0;
    const fields = {
      method: request.request.method,
      url: request.url,
      status: response.statusCode,
      bytes: Math.max(0, written - base - header),
      ms: Math.round((performance.now() - request.at) * 10) / 10,
      remote: request.remote,
      httpVersion: request.request.httpVersion,
    };
    log.info(aborted ? { ...fields, aborted: true } : fields, "access");
  };
  // One function for every response, the emitter being `this`; after a finish it finds nothing to log.
  function closed(this: SentResponse): void {
    line(this, this.req.socket, true);
  }

  return {
    requestStarted(request, response) {
      accounting.requestStarted(request, response);
      // HTTP/1 only (https too): an HTTP/2 server's responses never pass the finish channel.
      if (!(response instanceof ServerResponse)) return;
      started.set(response, new Started(request, performance.now()));
      response.on("close", closed);
    },
    requestFinished(response, socket) {
      accounting.requestFinished(response, socket);
      line(response, socket, false);
    },
    upgraded: (socket) => accounting.upgraded(socket),
  };
}
