// The services of the dispatch pool in the config: every default, every refusal (the field and why),
// unique names, a config of services only, and unknown fields with the one meant.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkConfig, type DroverConfig } from "../../src/config/index.ts";
import { problemsOf, withDir, write } from "./support.ts";

const MATH = { name: "math", module: "math.js" };

/** Checks `input` in a temp folder holding app.js and math.js; `app` is added unless `noApp`. */
function check(input: DroverConfig, { noApp = false } = {}) {
  return withDir((dir) => {
    write(dir, "math.js", "export default {};\n");
    return { dir, ...checkConfig(noApp ? input : { app: "app.js", ...input }, { baseDir: dir }) };
  });
}

/** The problems of one service written as `service` (beside name and module), as "field: reason" lines. */
function refusedService(service: Record<string, unknown>, input: Record<string, unknown> = {}) {
  return withDir((dir) => {
    write(dir, "math.js", "export default {};\n");
    const config = { app: "app.js", ...input, services: [{ ...MATH, ...service }] };
    return problemsOf(() => checkConfig(config, { baseDir: dir }));
  });
}

describe("services", () => {
  it("fill every default from the doc comments", async () => {
    const { dir, config, warnings } = await check({ services: [MATH] });
    const maxDrones = Math.max(availableParallelism(), 1);
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.services, [
      {
        name: "math",
        module: join(dir, "math.js"),
        minDrones: 1,
        maxDrones,
        minSpareDrones: 0,
        maxSpareDrones: 2,
        maxRequestsPerDrone: 0,
        droneConcurrency: 1,
        maxBacklog: 1000,
        requestTimeout: 30_000,
        sessionIdleTimeout: 30_000,
        sessionMaxLifetime: 3_600_000,
        sessionDrainTimeout: 30_000,
        maxMessageBytes: 64 * 1024 ** 2,
        droneNice: 0,
      },
    ]);
    assert.equal(config.droneLimit, Math.max(16, 2 * maxDrones));
    assert.equal(config.app, join(dir, "app.js"), "an app beside services still runs");
    assert.deepEqual(config.listen, [{ kind: "tcp", host: "0.0.0.0", port: 8080 }]);
  });

  it("default maxDrones to no fewer than minDrones, and maxSpareDrones to minSpareDrones + 2", async () => {
    const minDrones = availableParallelism() + 3;
    const { config } = await check({ services: [{ ...MATH, minDrones, minSpareDrones: 4 }] });
    assert.equal(config.services[0]?.maxDrones, minDrones);
    assert.equal(config.services[0]?.maxSpareDrones, 6);
  });

  it("are none without the field", async () => {
    const { config } = await check({});
    assert.deepEqual(config.services, []);
    assert.equal(config.droneLimit, 16, "room for services a reload may add");
  });

  it("read every value given, converting durations and sizes", async () => {
    const { config, warnings } = await check({
      workerLimit: 64,
      workersPerChild: 64,
      services: [
        {
          ...MATH,
          module: `./math.js`,
          minDrones: 2,
          maxDrones: 6,
          minSpareDrones: 1,
          maxSpareDrones: 3,
          maxRequestsPerDrone: 500,
          droneConcurrency: 64,
          maxBacklog: 0,
          requestTimeout: "1.5s",
          sessionIdleTimeout: 2000,
          sessionMaxLifetime: 0,
          sessionDrainTimeout: 0,
          maxMessageBytes: "1KiB",
          droneNice: 19,
        },
        { name: "A-z_0.9:x", module: "math.js", maxMessageBytes: "1GiB" },
      ],
    });
    assert.deepEqual(warnings, []);
    const [math, other] = config.services;
    assert.deepEqual(
      { ...math, module: undefined },
      {
        name: "math",
        module: undefined,
        minDrones: 2,
        maxDrones: 6,
        minSpareDrones: 1,
        maxSpareDrones: 3,
        maxRequestsPerDrone: 500,
        droneConcurrency: 64,
        maxBacklog: 0,
        requestTimeout: 1500,
        sessionIdleTimeout: 2000,
        sessionMaxLifetime: 0,
        sessionDrainTimeout: 0,
        maxMessageBytes: 1024,
        droneNice: 19,
      },
    );
    assert.equal(other?.name, "A-z_0.9:x");
    assert.equal(other?.maxMessageBytes, 1024 ** 3);
  });

  it("are frozen, and the input is left as it was", async () => {
    const input = { services: [{ ...MATH, maxDrones: 4 }] };
    const copy = structuredClone(input);
    const { config } = await check(input);
    assert.deepEqual(input, copy);
    assert.ok(Object.isFrozen(config.services));
    assert.ok(Object.isFrozen(config.services[0]));
  });

  it("refuse a list that is not one of objects", async () => {
    const refused = (services: unknown) =>
      withDir((dir) => problemsOf(() => checkConfig({ app: "app.js", services }, { baseDir: dir })));
    assert.deepEqual(await refused(MATH), [
      'services: must be an array of { name: "math", module: "./math.ts", ... }, got an object',
    ]);
    assert.deepEqual(await refused(["math", null]), [
      'services[0]: must be an object { name: "math", module: "./math.ts", ... }, got "math" (string)',
      'services[1]: must be an object { name: "math", module: "./math.ts", ... }, got null',
    ]);
    assert.deepEqual(await refused(null), ["services: is null: remove the field to use the default"]);
  });

  it("refuse a missing or malformed name, and a missing module", async () => {
    const name = (value: unknown) => refusedService({ name: value });
    const malformed = (got: string) =>
      `services[0].name: must be 1 to 128 letters, digits, ".", "_", ":" or "-", got ${got}`;
    assert.deepEqual(await name(undefined), [
      'services[0].name: is required: the name callers ask for, e.g. name: "math"',
    ]);
    assert.deepEqual(await name("my service"), [malformed('"my service" (string)')]);
    assert.deepEqual(await name(""), [malformed('"" (string)')]);
    assert.deepEqual(await name("é"), [malformed('"é" (string)')]);
    assert.deepEqual(await name("x".repeat(129)), [malformed(`"${"x".repeat(129)}" (string)`)]);
    assert.deepEqual(await name(7), [malformed("7")]);
    assert.deepEqual(await name(null), ["services[0].name: is null: remove the field to use the default"]);
    const longest = await check({ services: [{ ...MATH, name: "x".repeat(128) }] });
    assert.equal(longest.config.services[0]?.name.length, 128);
    assert.deepEqual(await refusedService({ module: undefined }), [
      'services[0].module: is required: name the service\'s module (module: "./math.ts"), which ' +
        "default-exports defineService({ methods })",
    ]);
  });

  it("refuse a module that does not exist or is a folder, as app is", async () => {
    await withDir(async (dir) => {
      mkdirSync(join(dir, "svc"));
      const problems = (module: unknown) =>
        problemsOf(() => checkConfig({ app: "app.js", services: [{ name: "m", module }] }, { baseDir: dir }));
      assert.deepEqual(await problems("nope.js"), [
        `services[0].module: names ${join(dir, "nope.js")}, which does not exist: check the path (a relative one starts from ${dir})`,
      ]);
      assert.deepEqual(await problems("svc"), [
        `services[0].module: names the folder ${join(dir, "svc")}: name the module file in it, e.g. "svc/index.js"`,
      ]);
      assert.deepEqual(await problems(42), ["services[0].module: must be a path, got 42"]);
    });
  });

  it("refuse each number out of its range, saying why", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { minDrones: 0 },
        "minDrones: must be 1 or more, got 0: a service keeps at least one drone, so that it can always take a call",
      ],
      [{ maxDrones: 0 }, "maxDrones: must be 1 or more, got 0"],
      [
        { minDrones: 4, maxDrones: 2 },
        "maxDrones: is below minDrones of 4, got 2: raise it to 4 or more, or lower minDrones",
      ],
      [{ minSpareDrones: -1 }, "minSpareDrones: must be 0 or more, got -1"],
      [{ maxRequestsPerDrone: -1 }, "maxRequestsPerDrone: must be 0 or more, got -1"],
      [{ droneConcurrency: 0 }, "droneConcurrency: must be 1 or more, got 0"],
      [
        { maxBacklog: -1 },
        "maxBacklog: must be 0 or more, got -1 (0 queues no call: one that finds no free drone fails at once)",
      ],
      [
        { droneNice: 20 },
        "droneNice: must be from 0 to 19, got 20 (0 is the HTTP children's priority, 19 the lowest; a negative " +
          "niceness would need root)",
      ],
      [
        { droneNice: -1 },
        "droneNice: must be from 0 to 19, got -1 (0 is the HTTP children's priority, 19 the lowest; a negative niceness would need root)",
      ],
      [
        { requestTimeout: 0 },
        "requestTimeout: must be more than 0: a call with a deadline of 0 could never be answered",
      ],
      [
        { sessionIdleTimeout: "0s" },
        "sessionIdleTimeout: must be more than 0: every session would end before its first call",
      ],
      [{ sessionMaxLifetime: -1 }, "sessionMaxLifetime: must not be negative, got -1: use 0 or more"],
      [
        { requestTimeout: "-1s" },
        'requestTimeout: must not be negative, got "-1s" (string): use more than 0',
      ],
      [
        { maxMessageBytes: -1 },
        "maxMessageBytes: must be from 1 KiB to 1 GiB (1024 to 1073741824 bytes), got -1",
      ],
      [
        { sessionDrainTimeout: "30" },
        'sessionDrainTimeout: has no unit, got "30" (string): write "30ms" or "30s", or the number 30 for milliseconds',
      ],
      [
        { maxMessageBytes: 1023 },
        "maxMessageBytes: must be from 1 KiB to 1 GiB (1024 to 1073741824 bytes), got 1023",
      ],
      [
        { maxMessageBytes: "2GiB" },
        'maxMessageBytes: must be from 1 KiB to 1 GiB (1024 to 1073741824 bytes), got "2GiB" (string)',
      ],
      [
        { maxMessageBytes: "64" },
        'maxMessageBytes: has no unit, got "64" (string): write "64MB", or the number for bytes',
      ],
    ];
    for (const [service, problem] of cases) {
      assert.deepEqual(await refusedService(service), [`services[0].${problem}`], JSON.stringify(service));
    }
  });

  it("refuse wrong types and nulls in every field, as the top-level fields", async () => {
    const counts = ["minDrones", "maxDrones", "minSpareDrones", "maxSpareDrones", "maxRequestsPerDrone"];
    for (const field of [...counts, "droneConcurrency", "maxBacklog", "droneNice"]) {
      assert.deepEqual(await refusedService({ [field]: "4" }), [
        `services[0].${field}: must be a whole number, got "4" (string): write it without quotes`,
      ]);
      assert.deepEqual(await refusedService({ [field]: 1.5 }), [
        `services[0].${field}: must be a whole number, got 1.5: use 1 or 2`,
      ]);
      assert.deepEqual(await refusedService({ [field]: null }), [
        `services[0].${field}: is null: remove the field to use the default`,
      ]);
    }
    assert.deepEqual(await refusedService({ requestTimeout: true }), [
      'services[0].requestTimeout: must be a duration, got true (boolean): use milliseconds as a number, or a number with a unit: "500ms", "30s", "2m", "1h"',
    ]);
  });

  it("refuse two services of one name, and tell names apart by case", async () => {
    const { config } = await check({ services: [MATH, { ...MATH, name: "Math" }] });
    assert.deepEqual(
      config.services.map((service) => service.name),
      ["math", "Math"],
    );
    await withDir(async (dir) => {
      write(dir, "math.js", "export default {};\n");
      const services = [MATH, { ...MATH, name: "other" }, MATH, MATH];
      assert.deepEqual(await problemsOf(() => checkConfig({ app: "app.js", services }, { baseDir: dir })), [
        'services[2].name: repeats the name of services[0] ("math"): give each service a name of its own',
        'services[3].name: repeats the name of services[0] ("math"): give each service a name of its own',
      ]);
    });
  });
});
