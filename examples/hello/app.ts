// The smallest drover app: a Node request handler, default-exported. Each child runs its own copy.
import type { IncomingMessage, ServerResponse } from "node:http";

export default function hello(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader("content-type", "text/plain; charset=utf-8");
  response.end(`hello from drover child ${process.pid}: ${request.method} ${request.url}\n`);
}
