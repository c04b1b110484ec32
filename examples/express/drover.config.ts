// Runs the Express example: `npx node src/cli/main.ts start --config examples/express/drover.config.ts`.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
});
