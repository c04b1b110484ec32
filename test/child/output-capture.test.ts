// What a child's and a drone's code write to stdout and stderr arrives as drover's log lines: one JSON
// line for each line of text, with the writer's pid, slot and generation (a drone's also its service),
// `stream`, info for stdout and warn for stderr; a line written in parts is one line, a character split
// across two writes is whole, and a last line without its newline is not lost when the child exits;
// with captureOutput: false, it is written as it was.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";

const SRC = JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname);

const APP = `
import { defineApp } from ${SRC};
let echo: { call(method: string, params: unknown): Promise<unknown> } | undefined;
export default defineApp({
  handler: async (request, response) => {
    if (request.url === "/log") {
      process.stdout.write("part one, ");
      process.stdout.write("part two\\n");
      const bytes = Buffer.from("warned \\u00e9\\n");
      process.stderr.write(bytes.subarray(0, 8));
      process.stderr.write(bytes.subarray(8));
    } else if (request.url === "/drone") {
      await echo?.call("shout", {});
    } else if (request.url === "/last") {
      process.stdout.write("no newline before the exit");
      setTimeout(() => process.exit(0), 50);
    }
    response.end(String(process.pid));
  },
  childInit: ({ client }) => {
    echo = client?.service("echo");
    console.log("hello from the app at its start");
  },
});
`;

const SERVICE = `
import { defineService } from ${SRC};
export default defineService({ methods: { shout: () => { console.log("a drone speaks"); return process.pid; } } });
`;

interface Line {
  readonly level: number;
  readonly pid: number;
  readonly role: string;
  readonly slot: number;
  readonly generation: number;
  readonly service?: string;
  readonly stream?: string;
  readonly msg: string;
}

it("logs what children and drones write to stdout and stderr as JSON lines that say who wrote them", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({
    app: APP,
    files: { "echo.ts": SERVICE },
    config: {
      startServers: 1,
      services: [{ name: "echo", module: "./echo.ts", minDrones: 1, maxDrones: 1 }],
    },
  });
  t.after(() => drover.stop());
  const lines = () =>
    drover.proc
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{") && line.includes('"stream":'))
      .map((line) => JSON.parse(line) as Line);
  const said = (msg: string) => waitFor(`the line "${msg}"`, () => lines().find((line) => line.msg === msg));

  const start = await said("hello from the app at its start");
  assert.equal(start.stream, "stdout");
  assert.equal(start.level, 30, "stdout at info");
  assert.equal(start.role, "child");
  assert.equal(start.generation, 0);
  assert.equal(typeof start.slot, "number");

  const pid = Number((await drover.request("/log")).body);
  const joined = await said("part one, part two");
  assert.equal(joined.pid, pid, "the line carries the pid of the child that wrote it");
  const warned = await said("warned \u00e9");
  assert.equal(warned.stream, "stderr");
  assert.equal(warned.level, 40, "stderr at warn");

  await drover.request("/drone");
  const drone = await said("a drone speaks");
  assert.equal(drone.role, "drone");
  assert.equal(drone.service, "echo");
  assert.notEqual(drone.pid, pid);

  await drover.request("/last");
  const last = await said("no newline before the exit");
  assert.equal(last.pid, pid);

  // captureOutput: false, from the next generation on: the output as it was written.
  drover.writeConfig({
    startServers: 1,
    services: [{ name: "echo", module: "./echo.ts", minDrones: 1, maxDrones: 1 }],
    captureOutput: false,
  });
  const reloaded = await drover.cli("reload");
  assert.equal(reloaded.status, 0, reloaded.stderr);
  await waitFor("a raw line from the new generation's child", () =>
    drover.proc.output().split("\n").includes("hello from the app at its start"),
  );
  await drover.request("/drone");
  await waitFor("a raw line from the new generation's drone", () =>
    drover.proc.output().split("\n").includes("a drone speaks"),
  );
});
