// A hook's deadline (hookTimeout in the master): a hook that runs past it fails with
// DROVER_ERR_HOOK_TIMEOUT and its context's signal is aborted, so a hook that listens can stop what
// it waits on; the caller's own signal (the master stopping) aborts it too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, isDroverError } from "../../src/errors.ts";
import { HookRegistry } from "../../src/modules/index.ts";
import { masterInput } from "./helpers.ts";

describe("a hook's deadline", () => {
  it("a hook past its deadline fails with HOOK_TIMEOUT, and its signal tells it", async () => {
    let aborted: unknown;
    const registry = new HookRegistry({ timeoutMs: 50 }).register({
      name: "slow",
      hooks: {
        postConfig: ({ signal }) =>
          new Promise<void>((resolve) => {
            signal.addEventListener("abort", () => {
              aborted = signal.reason;
              resolve();
            });
          }),
      },
    });
    const error = await registry.run("postConfig", masterInput()).catch((e: unknown) => e);
    assert.ok(isDroverError(error, ErrorCode.HOOK_TIMEOUT), String(error));
    assert.match(
      (error as Error).message,
      /module "slow"'s postConfig hook did not finish within 0.05 s \(hookTimeout\)/,
    );
    assert.ok(aborted !== undefined, "the hook's signal was aborted at the deadline");
  });

  it("a hook that ignores its signal is given up all the same; the ones after it do not run", async () => {
    const ran: string[] = [];
    const registry = new HookRegistry({ timeoutMs: 50 })
      .register({ name: "stuck", hooks: { preConfig: () => new Promise<void>(() => {}) } })
      .register({ name: "after", hooks: { preConfig: () => void ran.push("after") } });
    await assert.rejects(registry.run("preConfig", masterInput()), /did not finish/);
    assert.deepEqual(ran, []);
  });

  it("the caller's signal aborts a running hook's own", async () => {
    const stop = new AbortController();
    let seen: AbortSignal | undefined;
    const registry = new HookRegistry({ timeoutMs: 60_000 }).register({
      name: "waits",
      hooks: {
        monitor: ({ signal }) => {
          seen = signal;
          return new Promise<void>((_, reject) =>
            signal.addEventListener("abort", () => reject(signal.reason)),
          );
        },
      },
    });
    const running = registry.runCollectingFailures("monitor", { ...masterInput(), signal: stop.signal });
    stop.abort(new Error("the master is stopping"));
    const failures = await running;
    assert.equal(failures.length, 1);
    assert.equal(seen?.aborted, true);
  });

  it("a hook without a deadline (a child's) still gets a signal", async () => {
    let got: AbortSignal | undefined;
    await new HookRegistry()
      .register({
        name: "plain",
        hooks: {
          checkConfig: ({ signal }) => {
            got = signal;
          },
        },
      })
      .run("checkConfig", masterInput());
    assert.equal(got?.aborted, false);
  });
});
