// The config `npm start` runs: the hello app on 127.0.0.1:8080 (PORT changes the port), with the
// built-in status page (/server-status), Prometheus metrics (/metrics) and shared request counter
// (/shm-counter), all served by the children from shared memory.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
  modules: [{ use: "status" }, { use: "metrics" }, { use: "shmCounter" }],
});
