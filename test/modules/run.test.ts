import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isDroverError } from "../../src/errors.ts";
import { type HookContext, HookFailedError, HookRegistry, type Phase } from "../../src/modules/index.ts";
import { childInput, masterInput, recordingLogger } from "./helpers.ts";

describe("running a phase", () => {
  it("gives each hook its phase, generation, restart kind, config, module name and child", async () => {
    const seen: HookContext[] = [];
    const registry = new HookRegistry().register({
      name: "probe",
      hooks: {
        postConfig: (context) => {
          seen.push(context);
        },
        childInit: (context) => {
          seen.push(context);
        },
        childStatus: (context) => {
          seen.push(context);
        },
      },
    });
    const config = { serverLimit: 4 };
    await registry.run("postConfig", { ...masterInput(3, "graceful"), config });
    await registry.run("childInit", childInput(2, 4242, 3, "graceful"));
    await registry.run("childStatus", { ...childInput(1, 99, 3, "graceful"), status: "exited" });

    const [post, init, status] = seen;
    assert.ok(post?.phase === "postConfig" && init?.phase === "childInit" && status?.phase === "childStatus");
    assert.equal(post.generation, 3);
    assert.equal(post.restart, "graceful");
    assert.equal(post.module, "probe");
    assert.equal(post.config, config);
    assert.ok(Object.isFrozen(post));
    assert.equal(init.slot, 2);
    assert.equal(init.pid, 4242);
    assert.equal(init.module, "probe");
    assert.deepEqual([status.slot, status.pid, status.status], [1, 99, "exited"]);
  });

  it("tags each hook's log entries with its module", async () => {
    const log = recordingLogger();
    const registry = new HookRegistry()
      .register({ name: "one", hooks: { openLogs: ({ log }) => log.info("opened", { file: "a.log" }) } })
      .register({ name: "two", hooks: { openLogs: ({ log }) => log.warn("no file") } });
    await registry.run("openLogs", { ...masterInput(), log });
    assert.deepEqual(log.entries, [
      { level: "info", message: "opened", fields: { file: "a.log", module: "one" } },
      { level: "warn", message: "no file", fields: { module: "two" } },
    ]);
  });

  it("awaits each async hook before starting the next, in order", async () => {
    const events: string[] = [];
    const hook = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await sleep(ms);
      events.push(`${name} end`);
    };
    const registry = new HookRegistry()
      .register({ name: "slow", hooks: { postConfig: hook("slow", 30) } })
      .register({ name: "sync", hooks: { postConfig: () => void events.push("sync") } })
      .register({ name: "fast", hooks: { postConfig: hook("fast", 1) }, order: { position: "first" } });
    await registry.run("postConfig", masterInput());
    assert.deepEqual(events, ["fast start", "fast end", "slow start", "slow end", "sync"]);
  });

  it("runs only the phase asked for, and nothing when no module hooks it", async () => {
    const ran: Phase[] = [];
    const registry = new HookRegistry().register({
      name: "m",
      hooks: { preConfig: () => void ran.push("preConfig"), monitor: () => void ran.push("monitor") },
    });
    await registry.run("checkConfig", masterInput());
    await registry.run("monitor", masterInput());
    assert.deepEqual(ran, ["monitor"]);
  });

  for (const [how, fail] of [
    [
      "throws",
      () => {
        throw new Error("cannot create /dev/shm/x");
      },
    ],
    [
      "rejects",
      async () => {
        await sleep(1);
        throw new Error("cannot create /dev/shm/x");
      },
    ],
  ] as const) {
    it(`stops at a hook that ${how}, naming its module and phase`, async () => {
      const ran: string[] = [];
      const registry = new HookRegistry()
        .register({ name: "before", hooks: { postConfig: () => void ran.push("before") } })
        .register({ name: "mod_shm", hooks: { postConfig: fail } })
        .register({ name: "after", hooks: { postConfig: () => void ran.push("after") } });
      const error = await registry.run("postConfig", masterInput()).then(
        () => assert.fail("run should have rejected"),
        (error: unknown) => error,
      );
      assert.ok(isDroverError(error, "DROVER_ERR_HOOK_FAILED"));
      assert.ok(error instanceof HookFailedError);
      assert.equal(error.message, 'module "mod_shm" failed in its postConfig hook: cannot create /dev/shm/x');
      assert.equal(error.module, "mod_shm");
      assert.equal(error.phase, "postConfig");
      assert.ok(error.cause instanceof Error);
      assert.equal(error.cause.message, "cannot create /dev/shm/x");
      assert.deepEqual(ran, ["before"]);
    });
  }

  it("says what a hook threw when it is not an Error", async () => {
    const registry = new HookRegistry()
      .register({ name: "s", hooks: { preConfig: () => Promise.reject("no config file") } })
      .register({
        name: "o",
        hooks: {
          preConfig: () => {
            throw { reason: "odd" };
          },
        },
      });
    await assert.rejects(registry.run("preConfig", masterInput()), {
      message: 'module "s" failed in its preConfig hook: no config file',
      cause: "no config file",
    });
    const failures = await registry.runCollectingFailures("preConfig", masterInput());
    assert.equal(
      failures[1]?.message,
      "module \"o\" failed in its preConfig hook: it threw { reason: 'odd' }",
    );
  });

  it("runCollectingFailures runs every hook despite failures and reports each", async () => {
    const ran: string[] = [];
    const ok = (name: string) => () => void ran.push(name);
    const broken = (name: string) => async () => {
      ran.push(name);
      throw new Error(`${name} is broken`);
    };
    const registry = new HookRegistry()
      .register({ name: "a", hooks: { childExit: broken("a") } })
      .register({ name: "b", hooks: { childExit: ok("b") } })
      .register({ name: "c", hooks: { childExit: broken("c") }, order: { position: "last" } })
      .register({ name: "d", hooks: { childExit: ok("d") } });
    const failures = await registry.runCollectingFailures("childExit", childInput(0, 123));
    assert.deepEqual(ran, ["a", "b", "d", "c"]);
    assert.deepEqual(
      failures.map((failure) => [failure.code, failure.module, failure.phase, failure.message]),
      [
        ["DROVER_ERR_HOOK_FAILED", "a", "childExit", 'module "a" failed in its childExit hook: a is broken'],
        ["DROVER_ERR_HOOK_FAILED", "c", "childExit", 'module "c" failed in its childExit hook: c is broken'],
      ],
    );
    assert.deepEqual(await new HookRegistry().runCollectingFailures("monitor", masterInput()), []);
  });

  it("treats the app's childInit and childExit as hooks like any other", async () => {
    const events: string[] = [];
    const registry = new HookRegistry()
      .register({
        name: "app",
        hooks: {
          childInit: ({ slot }) => void events.push(`app init ${slot}`),
          childExit: ({ slot }) => void events.push(`app exit ${slot}`),
        },
      })
      .register({
        name: "metrics",
        hooks: {
          childInit: () => void events.push("metrics init"),
          childExit: () => void events.push("metrics exit"),
        },
        order: { childInit: { before: ["app"] }, childExit: { after: ["app"] } },
      });
    await registry.run("childInit", childInput(5, 1));
    await registry.runCollectingFailures("childExit", childInput(5, 1));
    assert.deepEqual(events, ["metrics init", "app init 5", "app exit 5", "metrics exit"]);
  });
});
