// `hello` over keep-alive connections: the cost of the process model itself on the tiniest request.
import type { Workload } from "./workload.ts";

export const helloKeepAlive: Workload = {
  id: "hello",
  label: "hello, keep-alive",
  description: '`GET /` answered with "hello world", every connection kept alive for the whole run',
  app: "hello",
  mixed: false,
  generatorName: (generator) => generator.name,
  run: (context) =>
    context.generator.run({
      url: `http://127.0.0.1:${context.port}/`,
      connections: context.connections,
      durationSeconds: context.durationSeconds,
      timeoutSeconds: context.timeoutSeconds,
      newConnectionPerRequest: false,
      signal: context.signal,
    }),
};
