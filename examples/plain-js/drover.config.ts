// Runs the plain JavaScript example: `npx node src/cli/main.ts start --config examples/plain-js/drover.config.ts`.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.mjs",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
});
