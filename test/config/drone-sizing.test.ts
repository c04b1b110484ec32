// The services fitted to the limits: each spare band raised to its floor with a warning, and droneLimit
// worked out at start, within the scoreboard, and kept on a restart as serverLimit is.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig, type DroverConfig, type ResolvedConfig } from "../../src/config/index.ts";
import { serverLimitThatFits } from "../../src/scoreboard/index.ts";
import { problemsOf, withDir, write } from "./support.ts";

function service(name: string, fields: Record<string, unknown> = {}) {
  return { name, module: "svc.js", ...fields };
}

function inDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  return withDir((dir) => {
    write(dir, "svc.js", "export default {};\n");
    return fn(dir);
  });
}

function check(input: DroverConfig, previous?: ResolvedConfig) {
  return inDir((dir) => checkConfig({ app: "app.js", ...input }, { baseDir: dir, previous }));
}

function refused(input: Record<string, unknown>, previous?: ResolvedConfig) {
  return inDir((dir) =>
    problemsOf(() => checkConfig({ app: "app.js", ...input }, { baseDir: dir, previous })),
  );
}

describe("maxSpareDrones", () => {
  it("not above minSpareDrones is raised to one above it, with a warning", async () => {
    for (const maxSpareDrones of [3, 0, -2]) {
      const { config, warnings } = await check({
        services: [service("a", { maxDrones: 8, minSpareDrones: 3, maxSpareDrones })],
      });
      assert.equal(config.services[0]?.maxSpareDrones, 4);
      assert.deepEqual(warnings, [
        `services[0].maxSpareDrones of ${maxSpareDrones} is not above minSpareDrones of 3; raising it to 4, so ` +
          "that a drone is not started and retired again for every call.",
      ]);
    }
    const { config, warnings } = await check({
      services: [service("a", { maxDrones: 8, minSpareDrones: 3, maxSpareDrones: 4 })],
    });
    assert.deepEqual([config.services[0]?.maxSpareDrones, warnings], [4, []], "one above is enough");
  });

  it("minSpareDrones above maxDrones is lowered to maxDrones, with a warning", async () => {
    const { config, warnings } = await check({
      services: [service("a", { maxDrones: 2, minSpareDrones: 5 })],
    });
    assert.equal(config.services[0]?.minSpareDrones, 2);
    assert.deepEqual(warnings, [
      "services[0].minSpareDrones of 5 is above maxDrones of 2; lowering it to 2: the pool never has more idle drones than drones.",
    ]);
  });

  it("says so in the shorter restart wording on a restart", async () => {
    const { config: first } = await check({});
    const { warnings } = await check({ services: [service("a", { maxSpareDrones: 0 })] }, first);
    assert.deepEqual(warnings, ["services[0].maxSpareDrones of 0 is not above minSpareDrones; raised to 1."]);
  });
});

describe("droneConcurrency", () => {
  it("above workerLimit is refused: a drone's calls are worker records", async () => {
    const services = [service("a", { droneConcurrency: 65 })];
    assert.deepEqual(await refused({ workerLimit: 64, workersPerChild: 64, services }), [
      "services[0].droneConcurrency: is above workerLimit of 64, got 65: each call a drone runs takes one of its " +
        "worker slots in the scoreboard; lower droneConcurrency, or raise workerLimit",
    ]);
    const fits = await check({
      workerLimit: 64,
      workersPerChild: 64,
      services: [service("a", { droneConcurrency: 64 })],
    });
    assert.equal(fits.config.services[0]?.droneConcurrency, 64);
  });
});

describe("droneLimit at start", () => {
  it("defaults to twice the sum of maxDrones, at least 16", async () => {
    const big = await check({ services: [service("a", { maxDrones: 10 }), service("b", { maxDrones: 5 })] });
    assert.equal(big.config.droneLimit, 30);
    const small = await check({ services: [service("a", { maxDrones: 3 })] });
    assert.equal(small.config.droneLimit, 16);
  });

  it("takes a value given that holds every service's maxDrones, even 0 with no services", async () => {
    const given = await check({
      droneLimit: 7,
      services: [service("a", { maxDrones: 3 }), service("b", { maxDrones: 4 })],
    });
    assert.deepEqual([given.config.droneLimit, given.warnings], [7, []]);
    assert.equal((await check({ droneLimit: 0 })).config.droneLimit, 0);
  });

  it("refuses one below the sum of maxDrones, naming both", async () => {
    const services = [service("a", { maxDrones: 4 }), service("b", { maxDrones: 8 })];
    assert.deepEqual(await refused({ droneLimit: 10, services }), [
      "droneLimit: is 10, fewer than the 12 drones the services may run at once (the sum of their maxDrones): " +
        "raise it to 12 or more (24 leaves room for a reload's new drones beside the old ones), or lower maxDrones",
    ]);
    assert.deepEqual(await refused({ droneLimit: -1 }), ["droneLimit: must be 0 or more, got -1"]);
    assert.deepEqual(await refused({ droneLimit: "16" }), [
      'droneLimit: must be a whole number, got "16" (string): write it without quotes',
    ]);
  });

  it("is lowered to what the scoreboard holds beside the children, and refused if the services need more", async () => {
    const workerLimit = 1024;
    const room = serverLimitThatFits(workerLimit) - 16;
    const { config, warnings } = await check({ workerLimit, droneLimit: room + 1 });
    assert.equal(config.droneLimit, room);
    assert.deepEqual(warnings, [
      `droneLimit of ${room + 1} beside serverLimit of 16 with workerLimit of 1024 would need a scoreboard over ` +
        `1 GiB; lowering it to ${room}. Lower workerLimit or serverLimit to allow more drones.`,
    ]);
    // serverLimit takes every slot: the default has no room left, and needs none without services.
    const full = await check({ serverLimit: 20_000, workerLimit });
    assert.equal(full.config.droneLimit, 0);
    assert.equal(full.warnings.length, 1, "only serverLimit's own warning");
    assert.deepEqual(
      await refused({ serverLimit: 20_000, workerLimit, services: [service("a", { maxDrones: 1 })] }),
      [
        "droneLimit: can be at most 0, the drone slots a 1 GiB scoreboard holds beside serverLimit of " +
          `${serverLimitThatFits(workerLimit)} with workerLimit of 1024, fewer than the 1 drone the services may run ` +
          "at once (the sum of their maxDrones): lower workerLimit or serverLimit, or lower maxDrones",
      ],
    );
  });
});

describe("droneLimit on a restart", () => {
  const first = () => check({ services: [service("a", { maxDrones: 4 })] }).then(({ config }) => config);

  it("keeps the first one: a new value with a warning, as serverLimit", async () => {
    const previous = await first();
    assert.equal(previous.droneLimit, 16);
    const { config, warnings } = await check(
      { droneLimit: 40, services: [service("a", { maxDrones: 4 })] },
      previous,
    );
    assert.equal(config.droneLimit, 16);
    assert.deepEqual(warnings, [
      "droneLimit cannot change on a restart (the scoreboard is sized by it): keeping 16, ignoring the new 40. " +
        "Stop and start drover to apply it.",
    ]);
  });

  it("keeps it without a warning when none is given, though the services' default would differ", async () => {
    const previous = await first();
    const services = [service("a", { maxDrones: 6 }), service("b", { maxDrones: 6 })];
    const { config, warnings } = await check({ services }, previous);
    assert.deepEqual([config.droneLimit, warnings], [16, []]);
    assert.deepEqual(
      config.services.map((s) => s.name),
      ["a", "b"],
      "a reload may add services that fit",
    );
  });

  it("refuses services that need more drones than the first one holds", async () => {
    const previous = await first();
    const services = [service("a", { maxDrones: 10 }), service("b", { maxDrones: 7 })];
    assert.deepEqual(await refused({ droneLimit: 64, services }, previous), [
      "droneLimit: cannot change on a restart (the scoreboard is sized by it) and is 16, fewer than the 17 drones " +
        "the services may now run at once (the sum of their maxDrones): lower maxDrones, or stop and start drover " +
        "to apply a larger droneLimit (drover reload and drover restart keep the scoreboard)",
    ]);
  });

  it("checks droneConcurrency against the workerLimit kept", async () => {
    const { config: previous } = await check({ workerLimit: 8, workersPerChild: 8 });
    assert.deepEqual(
      await refused(
        { workerLimit: 64, workersPerChild: 8, services: [service("a", { droneConcurrency: 9 })] },
        previous,
      ),
      [
        "services[0].droneConcurrency: is above workerLimit of 8, got 9: each call a drone runs takes one of its " +
          "worker slots in the scoreboard; lower droneConcurrency, or stop and start drover with a larger workerLimit",
      ],
    );
  });
});
