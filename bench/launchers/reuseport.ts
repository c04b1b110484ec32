// Bare processes with reusePort: starts BENCH_WORKERS independent copies of the bench server, each
// binding its own listening socket on the same port (SO_REUSEPORT), so the kernel spreads new
// connections across them and no primary sits in the path. This parent only waits.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const server = fileURLToPath(new URL("../apps/server.ts", import.meta.url));
const workers = Number(process.env.BENCH_WORKERS ?? "1");
const children = Array.from({ length: workers }, () =>
  spawn(process.execPath, [server], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, BENCH_REUSE_PORT: "1" },
  }),
);

for (const child of children) {
  child.once("exit", (code, signal) => {
    console.error(`reuseport launcher: process ${child.pid} exited (${signal ?? code})`);
  });
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(0);
  });
}
