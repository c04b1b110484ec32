// A config of services and no app (it listens on no port), and the fields of a service that are not
// ones: the setting meant, or where a setting written at the wrong level belongs.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkConfig, flagsToConfig, mergeFlags } from "../../src/config/index.ts";
import { problemsOf, withDir, write } from "./support.ts";

const MATH = { name: "math", module: "math.js" };

function inDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  return withDir((dir) => {
    write(dir, "math.js", "export default {};\n");
    return fn(dir);
  });
}

describe("a config of services only", () => {
  it("resolves with no app and no listener", async () => {
    await inDir((dir) => {
      const { config, warnings } = checkConfig({ services: [MATH] }, { baseDir: dir });
      assert.deepEqual(warnings, []);
      assert.equal(config.app, undefined);
      assert.deepEqual(config.listen, []);
      assert.ok(Object.isFrozen(config.listen));
      assert.equal(config.services[0]?.module, join(dir, "math.js"));
    });
  });

  it("refuses listen, from the file or a flag, since nothing would answer on it", async () => {
    const problem =
      'listen: needs an app: this config has services and no app, so nothing would answer on it; add app ("./server.js"), or remove listen';
    await inDir(async (dir) => {
      assert.deepEqual(
        await problemsOf(() => checkConfig({ services: [MATH], listen: 8080 }, { baseDir: dir })),
        [problem],
      );
      const input = mergeFlags({ services: [MATH] }, flagsToConfig({ listen: ["9000"] }, dir));
      assert.deepEqual(await problemsOf(() => checkConfig(input, { baseDir: dir })), [problem]);
    });
  });

  it("still requires app without services, in the same words", async () => {
    const required =
      'app: is required: name your server module in the config (app: "./server.js") or pass --app';
    await inDir(async (dir) => {
      assert.deepEqual(await problemsOf(() => checkConfig({}, { baseDir: dir })), [required]);
      assert.deepEqual(await problemsOf(() => checkConfig({ services: [] }, { baseDir: dir })), [required]);
    });
  });

  it("reports a service's problems without asking for an app", async () => {
    await inDir(async (dir) => {
      assert.deepEqual(
        await problemsOf(() => checkConfig({ services: [{ ...MATH, minDrones: 0 }] }, { baseDir: dir })),
        [
          "services[0].minDrones: must be 1 or more, got 0: a service keeps at least one drone, so that it can always take a call",
        ],
      );
    });
  });
});

describe("unknown service fields", () => {
  async function refused(service: Record<string, unknown>, top: Record<string, unknown> = {}) {
    return inDir((dir) =>
      problemsOf(() =>
        checkConfig({ app: "app.js", ...top, services: [{ ...MATH, ...service }] }, { baseDir: dir }),
      ),
    );
  }

  it("suggest the field meant: a typo, another spelling, or the OpenSRF setting", async () => {
    assert.deepEqual(await refused({ maxDrone: 4 }), [
      'services[0].maxDrone: is not a service setting: did you mean "maxDrones"?',
    ]);
    assert.deepEqual(await refused({ "max-backlog": 4 }), [
      'services[0].max-backlog: is not a service setting: did you mean "maxBacklog"?',
    ]);
    assert.deepEqual(await refused({ max_children: 4 }), [
      'services[0].max_children: is not a service setting: did you mean "maxDrones"?',
    ]);
    assert.deepEqual(await refused({ keepalive: "5s" }), [
      'services[0].keepalive: is not a service setting: did you mean "sessionIdleTimeout"?',
    ]);
    assert.deepEqual(await refused({ colour: "blue" }), [
      "services[0].colour: is not a service setting: remove it",
    ]);
  });

  it("say where a setting of the wrong level belongs", async () => {
    assert.deepEqual(await refused({ hookTimeout: "5s" }), [
      "services[0].hookTimeout: is not a service setting: it is set once for the whole config, beside services",
    ]);
    assert.deepEqual(await refused({}, { maxDrones: 4 }), [
      "maxDrones: is not a drover setting: it is one of each service's, set it in services",
    ]);
  });

  it("are listed with every other problem, in field order", async () => {
    const problems = await refused({ maxDrone: 4, minDrones: "2", module: "gone.js" }, { droneLimit: -1 });
    assert.deepEqual(
      problems.map((line) => line.split(":")[0]),
      ["services[0].maxDrone", "services[0].module", "services[0].minDrones", "droneLimit"],
    );
  });
});
