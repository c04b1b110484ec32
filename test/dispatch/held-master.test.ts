// A master whose event loop is held up (a loaded machine): when it runs again it reads a drone's
// answer before its deadline timer runs. A call whose deadline passed meanwhile is still its caller's
// timeout: one queued is never run by the drone that came free, and one whose drone answered after
// the deadline does not hand its caller a result it had stopped waiting for.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Client } from "../../src/client/index.ts";
import { isAlive } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { type RunningServices, startServices } from "../support/services.ts";
import { rejection } from "./support.ts";

const LOOP_HOLDER = fileURLToPath(new URL("./fixtures/loop-holder.ts", import.meta.url));
// The calls' budget: long enough for the status checks before the hold (slow on a loaded machine). Their
// client waits a second past it for the master's word, so the master is held up at most until
// HELD_AT_MOST_MS past the deadline: by then the drone has answered, on any machine this suite runs on.
const BUDGET_MS = 4_000;
const HELD_AT_MOST_MS = 800;

describe("a master held up past a call's deadline", { timeout: 60_000 }, () => {
  let host: RunningServices;
  let client: Client;

  before(async () => {
    host = await startServices({
      math: { minDrones: 1, maxDrones: 1 },
      config: { modules: [{ use: LOOP_HOLDER }] },
    });
    client = await host.client();
  });
  after(async () => {
    await host?.stop();
    assert.equal(host && isAlive(host.proc.pid), false);
  });

  const started = () => {
    const file = join(host.marks, "started");
    return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
  };
  const service = async () => (await host.status()).services[0];
  /**
   * Holds the master's loop up until the drone has answered (it marks "returned" first), at most until
   * HELD_AT_MOST_MS past the deadline of a call sent at `sentAt`.
   */
  const hold = async (sentAt: number) => {
    const atMostMs = sentAt + BUDGET_MS + HELD_AT_MOST_MS - Date.now();
    assert.ok(atMostMs > HELD_AT_MOST_MS + 500, "the checks before the hold took the call's budget");
    const until = join(host.marks, "returned");
    rmSync(until, { force: true });
    writeFileSync(join(host.marks, "loop-hold"), JSON.stringify({ until, atMostMs }));
    await waitFor("the master held up", () => existsSync(join(host.marks, "loop-held")));
  };

  it("never runs a queued call whose deadline passed, on a drone freed while the master was held up", async () => {
    const release = join(host.marks, "release");
    const holding = client
      .service("math")
      .call("waitFor", { file: release, dir: host.marks }, { timeout: "30s" });
    await waitFor("the drone busy", async () => (await service())?.idleDrones === 0);
    const sentAt = Date.now();
    const queued = rejection(
      client.service("math").call("sleep", { ms: 1, dir: host.marks, tag: "queued" }, { timeout: BUDGET_MS }),
    );
    await waitFor("the call queued", async () => (await service())?.backlog === 1);
    await hold(sentAt);
    // While it is held: the queued call's deadline passes, then its drone comes free.
    await delay(Math.max(0, sentAt + BUDGET_MS + 100 - Date.now()));
    writeFileSync(release, "");
    await holding;
    const error = await queued;
    assert.equal(error.code, "DROVER_ERR_DISPATCH_TIMEOUT", error.message);
    assert.match(error.message, /it never ran/);
    assert.ok(!started().includes("queued"), "the drone never ran it");
  });

  it("answers a call whose drone answered after its deadline, read while the master was held up, with the timeout", async () => {
    // The method ends when its signal fires at the drone's deadline, and the drone sends its result.
    const sentAt = Date.now();
    const late = rejection(
      client
        .service("math")
        .call("waitFor", { file: join(host.marks, "never"), dir: host.marks }, { timeout: BUDGET_MS }),
    );
    await waitFor("the call running", async () => (await service())?.idleDrones === 0);
    await hold(sentAt);
    const error = await late;
    assert.equal(error.code, "DROVER_ERR_DISPATCH_TIMEOUT", error.message);
    assert.match(error.message, /answered after its deadline/);
  });
});
