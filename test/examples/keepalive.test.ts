// An idle keep-alive connection must not hold a draining child for the framework's keep-alive timeout.
// Fastify sets its server's keepAliveTimeout to 72 s (Node's default is 5 s); a draining child closes
// connections silent for a second instead of waiting for it.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { startDrover } from "../support/drover.ts";
import { EXAMPLES, getJson } from "./support.ts";

const fastify = EXAMPLES.find((example) => example.name === "fastify");
// Well under Fastify's 72 s keep-alive timeout, and over what a drained child needs to exit.
const PROMPT_MS = 10_000;

describe("idle keep-alive connections to a Fastify app", () => {
  it("do not keep an old child alive after a reload", { timeout: 60_000 }, async () => {
    assert.ok(fastify);
    const drover = await startDrover({
      app: "export {};\n",
      config: { app: fastify.app, startServers: 2, workersPerChild: 8 },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const old = await getJson(drover.port, "/", agent);
      assert.equal(old.headers.connection, "keep-alive");
      const reloaded = await drover.cli("reload");
      assert.equal(reloaded.status, 0, reloaded.stderr);
      // The connection stays idle: the old child should close it and exit, running its childExit.
      await waitForPidsGone([old.body.pid], PROMPT_MS);
      assert.match(drover.proc.output(), new RegExp(`child ${old.body.pid} closed its pool`));
    } finally {
      agent.destroy();
      await drover.stop();
    }
  });

  it("do not hold up a graceful stop", { timeout: 60_000 }, async () => {
    assert.ok(fastify);
    const drover = await startDrover({
      app: "export {};\n",
      // Long enough to tell a prompt stop from one that waited for the time to run out.
      config: { app: fastify.app, startServers: 1, workersPerChild: 8, gracefulShutdownTimeout: "15s" },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const reply = await getJson(drover.port, "/", agent);
      assert.equal(reply.headers.connection, "keep-alive");
      const started = Date.now();
      // `drover stop` returns once the master is gone.
      const stopped = await drover.cli("stop", "--graceful");
      assert.equal(stopped.status, 0, stopped.stderr);
      const tookMs = Date.now() - started;
      assert.ok(tookMs < PROMPT_MS, `the graceful stop took ${tookMs} ms`);
      assert.deepEqual(await drover.proc.waitForExit(5_000), { code: 0, signal: null });
      assert.match(drover.proc.output(), new RegExp(`child ${reply.body.pid} closed its pool`));
    } finally {
      agent.destroy();
      await drover.stop();
    }
  });
});
