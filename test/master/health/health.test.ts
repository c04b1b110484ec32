// What /livez and /readyz answer, from the master's state: live while the maintenance pass (the
// children's watchdog) keeps running, stale once it stops; ready only while a generation serves with a
// ready child and no stop has begun. And the listener: 404 and 405 for anything but GET or HEAD of
// the two paths, a port in use refused with its code.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { checkConfig } from "../../../src/config/index.ts";
import { createLogger } from "../../../src/log/logger.ts";
import type { ChildHandle } from "../../../src/master/children/child-handle.ts";
import { Generation } from "../../../src/master/generations/generation.ts";
import type { GenerationModules } from "../../../src/master/generations/module-host.ts";
import { LIVENESS_STALE_MS, MasterHealth } from "../../../src/master/health/health.ts";
import { startHealthServer } from "../../../src/master/health/health-server.ts";
import { Lifecycle } from "../../../src/master/lifecycle.ts";
import { withDir } from "../../config/support.ts";
import { assertDroverError } from "../../harness/errors.ts";
import { freePort } from "../../harness/ports.ts";
import { httpGet } from "../../support/drover.ts";

async function fixture() {
  const config = await withDir((dir) => checkConfig({ app: "app.js" }, { baseDir: dir }).config);
  const lifecycle = new Lifecycle();
  const state = {
    serving: undefined as Generation | undefined,
    children: [] as ChildHandle[],
    lastPassAt: undefined as number | undefined,
  };
  const health = new MasterHealth({
    lifecycle,
    serving: () => state.serving,
    children: () => state.children,
    lastPass: () =>
      state.lastPassAt === undefined ? undefined : { at: state.lastPassAt, counters: undefined },
  });
  const generation = new Generation({
    number: 3,
    kind: "graceful",
    config,
    listeners: [],
    modules: {} as GenerationModules,
    warnings: [],
  });
  // What the verdicts read of a child: its generation, whether it serves, whether it is a drone.
  const child = (serving: boolean) =>
    ({ generation: 3, serving, drone: undefined }) as unknown as ChildHandle;
  return { health, lifecycle, state, generation, child };
}

describe("the master's health", () => {
  it("is live while the maintenance pass runs, and says when it has stopped running", async () => {
    const { health, lifecycle, state } = await fixture();
    assert.equal(health.liveness().state, "starting");
    assert.equal(health.liveness().ok, true);
    lifecycle.running();
    assert.equal(health.liveness().ok, false, "running, and no pass at all");
    const now = Date.now();
    state.lastPassAt = now - 1_000;
    assert.deepEqual([health.liveness(now).ok, health.liveness(now).state], [true, "serving"]);
    const stale = health.liveness(now + LIVENESS_STALE_MS);
    assert.deepEqual([stale.ok, stale.state], [false, "stale"]);
    assert.match(stale.reason, /last ran 6\.0 s ago: the master is stuck/);
    await lifecycle.beginStop();
    assert.equal(health.liveness(now + LIVENESS_STALE_MS).ok, true, "a stop quiets the pass: still live");
  });

  it("is ready while a generation serves with a ready child and no stop has begun", async () => {
    const { health, lifecycle, state, generation, child } = await fixture();
    assert.deepEqual([health.readiness().ok, health.readiness().state], [false, "starting"]);
    lifecycle.running();
    state.serving = generation;
    state.children = [child(false)];
    assert.deepEqual([health.readiness().ok, health.readiness().state], [false, "no-ready-child"]);
    state.children = [child(false), child(true)];
    assert.deepEqual(health.readiness(), {
      ok: true,
      state: "serving",
      reason: "generation 3 serves",
      generation: 3,
      readyChildren: 1,
    });
    assert.match(
      health.summary(),
      /^generation 3 serving: 1 child ready, 0 children failed since the start$/,
    );
    void lifecycle.beginStop();
    assert.deepEqual([health.readiness().ok, health.readiness().state], [false, "stopping"], "at once");
  });

  it("answers GET and HEAD of /livez and /readyz only, and refuses a port in use", async (t) => {
    const { health } = await fixture();
    const log = createLogger("silent");
    const port = await freePort();
    const server = await startHealthServer({ kind: "tcp", host: "127.0.0.1", port }, health, log);
    t.after(() => server.close());
    assert.equal(server.address, `127.0.0.1:${port}`);
    const readyz = await httpGet(port, "/readyz");
    assert.equal(readyz.status, 503);
    assert.equal(readyz.headers["cache-control"], "no-store");
    assert.equal(JSON.parse(readyz.body).state, "starting");
    assert.equal((await httpGet(port, "/livez?verbose")).status, 200);
    assert.equal((await httpGet(port, "/")).status, 404);
    const post = await fetch(`http://127.0.0.1:${port}/livez`, { method: "POST" });
    assert.deepEqual([post.status, post.headers.get("allow")], [405, "GET, HEAD"]);
    const head = await fetch(`http://127.0.0.1:${port}/livez`, { method: "HEAD" });
    assert.deepEqual([head.status, await head.text()], [200, ""]);

    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => taken.once("listening", resolve));
    t.after(() => taken.close());
    const address = taken.address();
    const takenPort = typeof address === "object" && address ? address.port : 0;
    const refused = await startHealthServer(
      { kind: "tcp", host: "127.0.0.1", port: takenPort },
      health,
      log,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.match(
      assertDroverError(refused, "DROVER_ERR_LISTEN_IN_USE").message,
      new RegExp(
        `cannot listen on health\\.listen 127\\.0\\.0\\.1:${takenPort}: the address is already in use`,
      ),
    );
  });
});
