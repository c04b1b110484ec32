// Runs the services example: `npx node src/cli/main.ts start --config examples/services/drover.config.ts`.
// Two HTTP children serve the app on 127.0.0.1 (PORT changes the port); the "math" service runs in
// drones of its own, one kept at all times and up to two, at a lower CPU priority than the children.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
  services: [
    { name: "math", module: "./math.ts", minDrones: 1, maxDrones: 2, requestTimeout: "10s", droneNice: 5 },
  ],
});
