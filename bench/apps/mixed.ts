// The `mixed` app: `/fast` answers at once, `/heavy` first burns a fixed amount of CPU (about 20 ms on
// the bench machine, calibrated once by the bench and passed in as an iteration count).
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { burn } from "./burn.ts";

/** Builds the handler; `heavyIterations` is the fixed work of one `/heavy` request. */
export function mixed(heavyIterations: number): RequestListener {
  let served = 0;
  return (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === "/heavy") {
      const body = String(burn(heavyIterations, ++served));
      response.writeHead(200, { "content-type": "text/plain", "content-length": String(body.length) });
      response.end(body);
      return;
    }
    response.writeHead(200, { "content-type": "text/plain", "content-length": "4" });
    response.end("fast");
  };
}
