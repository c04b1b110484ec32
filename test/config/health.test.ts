// The health field: a TCP listener of the master's own, refused where it could not work (a socket
// path, an app listener's address), and kept as the master started it across reloads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConfig } from "../../src/config/index.ts";
import { problemsOf, withDir } from "./support.ts";

const check = (input: Record<string, unknown>, dir: string) =>
  checkConfig({ app: "app.js", listen: ["127.0.0.1:8080"], ...input }, { baseDir: dir });

describe("health", () => {
  it("is off unless given, and reads a port or host:port", async () => {
    await withDir((dir) => {
      assert.equal(check({}, dir).config.health, undefined);
      assert.deepEqual(check({ health: { listen: 9000 } }, dir).config.health, {
        listen: { kind: "tcp", host: "0.0.0.0", port: 9000 },
      });
      assert.deepEqual(check({ health: { listen: "127.0.0.1:9000" } }, dir).config.health?.listen, {
        kind: "tcp",
        host: "127.0.0.1",
        port: 9000,
      });
    });
  });

  it("refuses what is not a TCP listener of its own, every problem at once", async () => {
    await withDir(async (dir) => {
      assert.deepEqual(await problemsOf(() => check({ health: "9000" }, dir)), [
        'health: must be an object, got "9000" (string): write health: { listen: "127.0.0.1:9000" }',
      ]);
      const problems = await problemsOf(() => check({ health: { listne: 9000 } }, dir));
      assert.match(problems.join("\n"), /health\.listne: is not a health setting/);
      assert.match(problems.join("\n"), /health\.listen: is missing/);
      assert.match(
        (await problemsOf(() => check({ health: { listen: "./health.sock" } }, dir)))[0] ?? "",
        /^health\.listen: must be a TCP address/,
      );
      assert.match(
        (await problemsOf(() => check({ health: { listen: 99999 } }, dir)))[0] ?? "",
        /^health\.listen: must be a port/,
      );
      const clash = await problemsOf(() =>
        check({ listen: [8080], health: { listen: "127.0.0.1:8080" } }, dir),
      );
      assert.match(clash[0] ?? "", /^health\.listen: overlaps listen .*needs an address of its own/);
    });
  });

  it("stays as the master started it on a reload, with a warning when the config changed it", async () => {
    await withDir((dir) => {
      const first = check({ health: { listen: 9000 } }, dir).config;
      const { config, warnings } = checkConfig(
        { app: "app.js", listen: ["127.0.0.1:8080"], health: { listen: 9001 } },
        { baseDir: dir, previous: first },
      );
      assert.equal(config.health, first.health);
      assert.match(
        warnings.join("\n"),
        /health\.listen changed to 0\.0\.0\.0:9001: it stays 0\.0\.0\.0:9000/,
      );
    });
  });
});
