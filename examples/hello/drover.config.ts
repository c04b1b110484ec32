// The config `npm start` runs: the hello app on 127.0.0.1:8080 (PORT changes the port).
import { defineConfig } from "../../src/index.ts";

export default defineConfig({
  app: "./app.ts",
  listen: [`127.0.0.1:${process.env.PORT ?? 8080}`],
  startServers: 2,
  workersPerChild: 64,
});
