// Several drover masters serving the bench service on one subject, as hosts of one queue group would
// be: each `drover start` in a folder of its own under the current one, with `drones` drones. This
// process only starts them, in its process group (the bench reads their CPU time as one target's),
// says "listening" once each takes calls from NATS, and stops them all on SIGTERM (child-group.ts).
//   drover-hosts <servers> <subject> <hosts> <drones> [hand-off|no-hand-off]
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChildGroup } from "../process/child-group.ts";

const [servers, subject, hostCount, droneCount, handing = "hand-off"] = process.argv.slice(2);
const hosts = Number(hostCount);
const drones = Number(droneCount);
if (!servers || !subject || !Number.isInteger(hosts) || hosts < 1 || !Number.isInteger(drones) || drones < 1)
  throw new Error("usage: node drover-hosts.ts <servers> <subject> <hosts> <drones> [hand-off|no-hand-off]");

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here("../../src/cli/main.ts");
const SERVICE = here("../dispatch/service.ts");

const group = new ChildGroup("the hosts");
const ready = Array.from({ length: hosts }, (_, index) => {
  // Short: the run directory's socket path must fit in 107 bytes.
  const folder = join(process.cwd(), `h${index}`);
  mkdirSync(folder);
  const transport = { nats: { servers, subject, handOff: handing !== "no-hand-off" } };
  const services = [{ name: "bench", module: SERVICE, minDrones: drones, maxDrones: drones, transport }];
  writeFileSync(
    join(folder, "drover.config.json"),
    JSON.stringify({ runDir: "./run", logLevel: "info", services }),
  );
  const master = group.add(
    spawn(process.execPath, [CLI, "start"], { cwd: folder, stdio: ["ignore", "pipe", "pipe"] }),
    `drover host ${index}`,
  );
  // Its log goes on to this process's stderr; the line that says it subscribed is its readiness.
  return new Promise<void>((resolve) => {
    let tail = "";
    const read = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
      if (/takes calls from NATS on/.test(tail)) resolve();
    };
    master.stdout?.on("data", read);
    master.stderr?.on("data", read);
  });
});
await Promise.all(ready);
console.log(
  `bench drover hosts: ${hosts} masters of ${drones} drones listening on ${subject}.> (pid ${process.pid})`,
);
