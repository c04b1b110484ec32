// The config `npm start` runs: the hello app on 127.0.0.1:8080 (PORT changes the port), with the
// built-in status page (/server-status), Prometheus metrics (/metrics) and shared request counter
// (/shm-counter), all served by the children from shared memory; and the "math" service of
// examples/services in a drone of its own, for `drover call math add '{"a":1,"b":2}'`.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
  modules: [{ use: "status" }, { use: "metrics" }, { use: "shmCounter" }],
  services: [{ name: "math", module: "../services/math.ts", minDrones: 1, maxDrones: 2 }],
});
