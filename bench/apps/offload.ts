// The `mixed` app with its heavy work handed off: `/fast` answers at once, `/heavy` calls the `burn`
// service, whose drone runs the same fixed loop, and answers with its result when the call returns.
// The HTTP child's event loop never burns, so a fast request waits for no heavy one.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ServiceClient } from "../../src/client/types.ts";
import type burnService from "./burn-service.ts";

/** The client of the burn service, typed from its module. */
export type BurnClient = ServiceClient<typeof burnService>;

/** Builds the handler; `service` gives the client of the burn service (kept from childInit). */
export function offloadedMixed(service: () => BurnClient): RequestListener {
  let served = 0;
  return (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === "/heavy") {
      service()
        .call("burn", { seed: ++served })
        .then(
          (value) => send(response, 200, String(value)),
          // A failed call shows in the bench's error column as non-2xx, with its code in the body.
          (error: Error & { code?: string }) =>
            send(response, 503, `${error.code ?? "error"}: ${error.message}`),
        );
      return;
    }
    send(response, 200, "fast");
  };
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    "content-type": "text/plain",
    "content-length": String(Buffer.byteLength(body)),
  });
  response.end(body);
}
