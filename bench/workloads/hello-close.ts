// `hello` with a new connection per request (`Connection: close`): accepting and handing out connections
// dominates, which is where round-robin, a shared socket and reusePort differ most.
import { runNodeClient } from "../load/node.ts";
import type { Workload } from "./workload.ts";

export const helloClose: Workload = {
  id: "hello-close",
  label: "hello, new connection per request",
  description: "`GET /` with `Connection: close`: every request opens a new TCP connection",
  app: "hello",
  mixed: false,
  // autocannon mishandles a server closing after each response (it writes the next request into the
  // closing socket and reconnects twice), so without wrk this workload uses the bench's own client.
  generatorName: (generator) => (generator.name === "wrk" ? "wrk" : "node-client"),
  run: (context) =>
    context.generator.name === "wrk"
      ? context.generator.run({
          url: `http://127.0.0.1:${context.port}/`,
          connections: context.connections,
          durationSeconds: context.durationSeconds,
          timeoutSeconds: context.timeoutSeconds,
          newConnectionPerRequest: true,
          signal: context.signal,
        })
      : runNodeClient(
          {
            origin: `http://127.0.0.1:${context.port}`,
            connections: context.connections,
            durationSeconds: context.durationSeconds,
            timeoutSeconds: context.timeoutSeconds,
            newConnectionPerRequest: true,
            fastPath: "/",
            heavyEvery: 0,
            heavyPath: "/",
          },
          context.signal,
        ),
};
