// The seed's worker_check_config and worker_run adjustments, case by case, at start-up and on a restart.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { checkConfig, type DroverConfig, type ResolvedConfig } from "../../src/config/index.ts";
import { MAX_SERVER_LIMIT, MAX_WORKER_LIMIT } from "../../src/scoreboard/index.ts";
import { scoreboardBytes } from "../../src/scoreboard/layout.ts";
import { withDir } from "./support.ts";

// Sizes that need no adjustment, so each case below shows only its own warning.
const QUIET = { startServers: 2, minSpareWorkers: 10, maxSpareWorkers: 1000 } satisfies DroverConfig;

function check(config: DroverConfig, previous?: ResolvedConfig) {
  return withDir((dir) => checkConfig({ app: "app.js", ...QUIET, ...config }, { baseDir: dir, previous }));
}

async function startThenRestart(first: DroverConfig, second: DroverConfig) {
  const { config } = await check(first);
  return check(second, config);
}

describe("sizing adjustments", () => {
  it("fills every size from the defaults without a warning", async () => {
    const { config, warnings } = await withDir((dir) => checkConfig({ app: "app.js" }, { baseDir: dir }));
    const startServers = Math.min(availableParallelism(), 16);
    assert.deepEqual(warnings, []);
    assert.equal(config.serverLimit, 16);
    assert.equal(config.workerLimit, 1024);
    assert.equal(config.workersPerChild, 128);
    assert.equal(config.maxRequestWorkers, 16 * 128);
    assert.equal(config.daemonsLimit, 16);
    assert.equal(config.startServers, startServers);
    assert.equal(config.minSpareWorkers, 128);
    assert.equal(config.maxSpareWorkers, Math.max(128 * (startServers + 1), 128 + 128 + 1));
  });

  it("fits defaults to the values given, still without a warning", async () => {
    // One child at most: startServers defaults to 1, and maxSpareWorkers to the narrowest band allowed.
    const { config, warnings } = await withDir((dir) =>
      checkConfig({ app: "app.js", serverLimit: 1, workersPerChild: 10 }, { baseDir: dir }),
    );
    assert.deepEqual(warnings, []);
    assert.equal(config.maxRequestWorkers, 10);
    assert.equal(config.daemonsLimit, 1);
    assert.equal(config.startServers, 1);
    assert.equal(config.minSpareWorkers, 10);
    assert.equal(config.maxSpareWorkers, 21);
  });

  it("serverLimit above the ceiling is lowered to it", async () => {
    const { config, warnings } = await check({ serverLimit: MAX_SERVER_LIMIT + 5, workerLimit: 256 });
    assert.equal(config.serverLimit, MAX_SERVER_LIMIT);
    assert.deepEqual(warnings, [
      "serverLimit of 20005 is above drover's ceiling of 20000 children; lowering it to 20000.",
    ]);
  });

  it("serverLimit is lowered to what fits a 1 GiB scoreboard beside workerLimit", async () => {
    const { config, warnings } = await check({ serverLimit: 20_000, workerLimit: 1024 });
    // A 128-byte header; each child takes a process record and 1024 worker records, 128 bytes each.
    const fits = Math.floor((1024 ** 3 - 128) / (128 + 1024 * 128));
    assert.equal(config.serverLimit, fits);
    assert.deepEqual(warnings, [
      `serverLimit of 20000 with workerLimit of 1024 would need a scoreboard over 1 GiB; lowering it to ${fits}. ` +
        "Lower workerLimit to allow more children.",
    ]);
    // And the scoreboard it sizes can be made.
    assert.ok(scoreboardBytes(config) <= 1024 ** 3);
  });

  it("serverLimit below 1 is raised to 1", async () => {
    for (const serverLimit of [0, -3]) {
      const { config, warnings } = await check({ serverLimit, maxRequestWorkers: 128, startServers: 1 });
      assert.equal(config.serverLimit, 1);
      assert.deepEqual(warnings, [`serverLimit of ${serverLimit} is not allowed; raising it to 1.`]);
    }
  });

  it("workerLimit above the ceiling is lowered to it, below 1 raised to 1", async () => {
    const high = await check({ workerLimit: MAX_WORKER_LIMIT + 1 });
    assert.equal(high.config.workerLimit, MAX_WORKER_LIMIT);
    assert.deepEqual(high.warnings, [
      "workerLimit of 100001 is above drover's ceiling of 100000 workers per child; lowering it to 100000.",
    ]);
    const low = await check({ workerLimit: 0, workersPerChild: 1 });
    assert.equal(low.config.workerLimit, 1);
    assert.deepEqual(low.warnings, ["workerLimit of 0 is not allowed; raising it to 1."]);
  });

  it("workersPerChild above workerLimit is lowered to it, below 1 raised to 1", async () => {
    const high = await check({ workerLimit: 64, workersPerChild: 100 });
    assert.equal(high.config.workersPerChild, 64);
    assert.deepEqual(high.warnings, [
      "workersPerChild of 100 is above workerLimit of 64; lowering it to 64. Raise workerLimit to allow more.",
    ]);
    const low = await check({ workersPerChild: 0 });
    assert.equal(low.config.workersPerChild, 1);
    assert.equal(low.config.maxRequestWorkers, 16, "the default follows the adjusted value");
    assert.deepEqual(low.warnings, ["workersPerChild of 0 is not allowed; raising it to 1."]);
  });

  it("maxRequestWorkers below workersPerChild is raised to it", async () => {
    const { config, warnings } = await check({
      workersPerChild: 128,
      maxRequestWorkers: 64,
      startServers: 1,
    });
    assert.equal(config.maxRequestWorkers, 128);
    assert.equal(config.daemonsLimit, 1);
    assert.deepEqual(warnings, [
      "maxRequestWorkers of 64 is below workersPerChild of 128; raising it to 128, since a single child " +
        "already serves that many connections.",
    ]);
  });

  it("maxRequestWorkers not a multiple of workersPerChild is rounded down to one", async () => {
    const { config, warnings } = await check({ workersPerChild: 128, maxRequestWorkers: 300 });
    assert.equal(config.maxRequestWorkers, 256);
    assert.equal(config.daemonsLimit, 2);
    assert.deepEqual(warnings, [
      "maxRequestWorkers of 300 is not a multiple of workersPerChild of 128; lowering it to 256, the nearest " +
        "multiple below, which allows at most 2 children.",
    ]);
  });

  it("maxRequestWorkers needing more children than serverLimit is lowered", async () => {
    const { config, warnings } = await check({
      serverLimit: 16,
      workersPerChild: 128,
      maxRequestWorkers: 128 * 40,
    });
    assert.equal(config.daemonsLimit, 16);
    assert.equal(config.maxRequestWorkers, 16 * 128);
    assert.deepEqual(warnings, [
      "maxRequestWorkers of 5120 would need 40 children, more than serverLimit of 16; lowering it to 2048. " +
        "Raise serverLimit to allow more.",
    ]);
  });

  it("startServers below 1 is raised to 1, above the children allowed lowered to that", async () => {
    for (const startServers of [0, -2]) {
      const { config, warnings } = await check({ startServers });
      assert.equal(config.startServers, 1);
      assert.deepEqual(warnings, [`startServers of ${startServers} is not allowed; raising it to 1.`]);
    }
    const high = await check({ startServers: 20, maxRequestWorkers: 4 * 128 });
    assert.equal(high.config.startServers, 4);
    assert.deepEqual(high.warnings, [
      "startServers of 20 is more than the 4 children allowed (maxRequestWorkers / workersPerChild); starting 4.",
    ]);
  });

  it("minSpareWorkers below 1 is raised to 1", async () => {
    const { config, warnings } = await check({ minSpareWorkers: 0 });
    assert.equal(config.minSpareWorkers, 1);
    assert.deepEqual(warnings, [
      "minSpareWorkers of 0 is not allowed; raising it to 1. With no spare workers kept, new connections " +
        "would wait for a child to start.",
    ]);
  });

  it("maxSpareWorkers narrower than one child above minSpareWorkers is raised", async () => {
    const { config, warnings } = await check({
      workersPerChild: 128,
      minSpareWorkers: 10,
      maxSpareWorkers: 100,
    });
    assert.equal(config.maxSpareWorkers, 10 + 128 + 1);
    assert.deepEqual(warnings, [
      "maxSpareWorkers of 100 is below minSpareWorkers + workersPerChild + 1 (139); raising it to 139, so that " +
        "starting or retiring one child cannot swing the pool past the other bound.",
    ]);
    // The band is measured from the adjusted minSpareWorkers.
    const both = await check({ workersPerChild: 4, minSpareWorkers: -1, maxSpareWorkers: 0 });
    assert.equal(both.config.minSpareWorkers, 1);
    assert.equal(both.config.maxSpareWorkers, 6);
    assert.equal(both.warnings.length, 2);
  });

  it("reports each adjustment in order when several apply", async () => {
    const { config, warnings } = await check({
      serverLimit: 0,
      workerLimit: 8,
      workersPerChild: 10,
      maxRequestWorkers: 20,
      startServers: 0,
      minSpareWorkers: 0,
      maxSpareWorkers: 0,
    });
    assert.deepEqual(
      warnings.map((warning) => warning.split(" ")[0]),
      // 20 is not a multiple of 8 (lowered to 16), and 16 needs 2 children where serverLimit is 1 (lowered to 8).
      [
        "serverLimit",
        "workersPerChild",
        "maxRequestWorkers",
        "maxRequestWorkers",
        "startServers",
        "minSpareWorkers",
        "maxSpareWorkers",
      ],
    );
    assert.deepEqual(
      [config.serverLimit, config.workersPerChild, config.maxRequestWorkers, config.daemonsLimit],
      [1, 8, 8, 1],
    );
    assert.deepEqual([config.startServers, config.minSpareWorkers, config.maxSpareWorkers], [1, 1, 10]);
  });
});

describe("sizing on a restart", () => {
  it("keeps the first serverLimit and workerLimit, with a warning", async () => {
    const { config, warnings } = await startThenRestart(
      { serverLimit: 8, workerLimit: 256 },
      { serverLimit: 32, workerLimit: 512 },
    );
    assert.equal(config.serverLimit, 8);
    assert.equal(config.workerLimit, 256);
    assert.equal(config.maxRequestWorkers, 8 * 128, "the default follows the kept serverLimit");
    assert.deepEqual(warnings, [
      "workerLimit cannot change on a restart (the scoreboard is sized by it): keeping 256, ignoring the new 512. " +
        "Stop and start drover to apply it.",
      "serverLimit cannot change on a restart (the scoreboard is sized by it): keeping 8, ignoring the new 32. " +
        "Stop and start drover to apply it.",
    ]);
  });

  it("compares after the range adjustment, as the first start did", async () => {
    const { config, warnings } = await startThenRestart(
      { serverLimit: MAX_SERVER_LIMIT + 1, workerLimit: 256 },
      { serverLimit: MAX_SERVER_LIMIT + 2, workerLimit: 256 },
    );
    assert.equal(config.serverLimit, MAX_SERVER_LIMIT);
    assert.deepEqual(warnings, ["serverLimit of 20002 is above the ceiling of 20000; lowered to match."]);
  });

  it("checks the other sizes against the kept limits, in the shorter restart wording", async () => {
    const { config, warnings } = await startThenRestart(
      { workerLimit: 64 },
      { workerLimit: 1024, workersPerChild: 100, maxRequestWorkers: 50, startServers: 0, minSpareWorkers: 0 },
    );
    assert.equal(config.workersPerChild, 64);
    assert.deepEqual(warnings, [
      "workerLimit cannot change on a restart (the scoreboard is sized by it): keeping 64, ignoring the new 1024. " +
        "Stop and start drover to apply it.",
      "workersPerChild of 100 is above workerLimit of 64; lowered to match.",
      "maxRequestWorkers of 50 is below workersPerChild of 64; raised to match.",
      "startServers of 0 is not allowed; raised to 1.",
      "minSpareWorkers of 0 is not allowed; raised to 1.",
    ]);
  });

  it("uses the restart wording for every other adjustment", async () => {
    const { config: first } = await check({});
    const cases: [DroverConfig, string][] = [
      [{ serverLimit: 0 }, "serverLimit of 0 is not allowed; raised to 1."],
      [{ workersPerChild: 0 }, "workersPerChild of 0 is not allowed; raised to 1."],
      [
        { maxRequestWorkers: 300 },
        "maxRequestWorkers of 300 is not a multiple of workersPerChild of 128; lowered to 256.",
      ],
      [
        { maxRequestWorkers: 128 * 20 },
        "maxRequestWorkers of 2560 would need 20 children, more than serverLimit of 16; lowered to 2048.",
      ],
      [{ startServers: 17 }, "startServers of 17 is more than the 16 children allowed; lowered to match."],
      [
        { maxSpareWorkers: 5 },
        "maxSpareWorkers of 5 is below minSpareWorkers + workersPerChild + 1; raised to 139.",
      ],
    ];
    for (const [config, warning] of cases) {
      const { warnings } = await check(config, first);
      assert.ok(warnings.includes(warning), `${JSON.stringify(config)}: ${JSON.stringify(warnings)}`);
    }
  });
});
