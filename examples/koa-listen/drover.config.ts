// Runs the unchanged koa-listen app: `npx node src/cli/main.ts start --config examples/koa-listen/drover.config.ts`.
// The app calls listen() on its own port (PORT, or 3000); drover serves it on this listen instead.
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
});
