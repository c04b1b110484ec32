// Two masters serving one service over one nats-server: a call that NATS gives to a host whose drones
// are all busy goes to the host with an idle drone (as it arrives, or from the backlog once that
// host says it is idle), once at most; a call handed to a host that died meanwhile comes back and
// runs where it arrived. With handOff false a call stays where NATS put it.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Client } from "../../../src/client/index.ts";
import { isAlive } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { type RunningNats, startNats } from "../../support/nats-server.ts";
import type { RunningServices } from "../../support/services.ts";
import { natsClient, startNatsHost } from "./support.ts";

const ONE_DRONE = { minDrones: 1, maxDrones: 1, maxBacklog: 100 };

describe("calls handed between hosts", { timeout: 120_000 }, () => {
  let nats: RunningNats;
  let hosts: RunningServices[];
  let client: Client;
  const cleanups: (() => Promise<void>)[] = [];
  const holds: string[] = [];

  beforeEach(async () => {
    nats = await startNats();
    hosts = [];
    client = await natsClient(nats, (fn) => cleanups.push(fn));
  });
  const startHosts = async (nats: RunningNats, transport: Record<string, unknown> = {}) => {
    const math = { ...ONE_DRONE, transport: { nats: { servers: nats.url, ...transport } } };
    hosts = await Promise.all([startNatsHost(nats, math), startNatsHost(nats, math)]);
    for (const host of hosts) await waitFor("both hosts idle", async () => !(await busy(host)));
  };
  afterEach(async () => {
    // Whatever failed, no drone is left waiting on a hold.
    for (const file of holds.splice(0)) if (!existsSync(file)) writeFileSync(file, "");
    for (const cleanup of cleanups.splice(0)) await cleanup();
    for (const host of hosts) {
      await host.stop();
      assert.equal(isAlive(host.proc.pid), false);
    }
    await nats.stop();
  });

  const math = () => client.service("math");
  const droneOf = async (host: RunningServices) => {
    const [service] = (await host.status()).services;
    return service?.droneProcesses[0]?.pid;
  };
  const busy = async (host: RunningServices) => (await host.status()).services[0]?.idleDrones === 0;
  /** A call that holds a drone until release() (the test's end releases it in any case). */
  const hold = (host: RunningServices, name: string) => {
    const file = join(host.dir.path, name);
    holds.push(file);
    const call = math().call("waitFor", { file }, { timeout: "60s" }) as Promise<number>;
    return { call, release: () => writeFileSync(file, "") };
  };

  /** Both hosts up and one drone held by a call (NATS picks which): that host and the other. */
  const holdOne = async (transport: Record<string, unknown> = {}, name = "held") => {
    await startHosts(nats, transport);
    const held = hold(hosts[0] as RunningServices, name);
    await waitFor("one host's drone taken by the held call", async () =>
      (await Promise.all(hosts.map(busy))).includes(true),
    );
    const [heldHost, otherHost] = (await busy(hosts[0] as RunningServices)) ? hosts : [...hosts].reverse();
    assert.ok(heldHost && otherHost);
    return { held, heldHost, otherHost };
  };

  it("sends a call that meets a busy host to the host whose drone is idle", async () => {
    const { held, heldHost: busyHost, otherHost: idleHost } = await holdOne();
    const idleDrone = await droneOf(idleHost);
    // NATS gives about half of these to the busy host; each must still run on the idle one.
    const pids: number[] = [];
    for (let i = 0; i < 20; i++)
      pids.push((await math().call("pid", undefined, { timeout: "10s" })) as number);
    assert.deepEqual(new Set(pids), new Set([idleDrone]), "every call ran on the idle host's drone");
    held.release();
    assert.equal(await held.call, await droneOf(busyHost));
    const [idleService] = (await idleHost.status()).services;
    assert.equal(idleService?.counters.calls, 20, "the idle host took all 20 calls");
  });

  it("opens a session that meets a busy host on the host whose drone is idle", async () => {
    const { held, heldHost: busyHost, otherHost: idleHost } = await holdOne();
    const idleDrone = await droneOf(idleHost);
    // NATS gives about half of the openings to the busy host; each session must still open and run
    // on the idle one (kept on the busy host, an opening would wait there past its 5 s).
    for (let i = 0; i < 8; i++) {
      const session = await math().session({ timeout: "5s" });
      assert.equal(await session.call("pid", undefined), idleDrone);
      await session.close();
    }
    const [idleService] = (await idleHost.status()).services;
    assert.equal(idleService?.counters.sessionsOpened, 8, "the idle host opened all 8 sessions");
    held.release();
    assert.equal(await held.call, await droneOf(busyHost));
  });

  it("hands the calls waiting on a busy host to another once it says it has an idle drone", async () => {
    const { held: first, heldHost, otherHost } = await holdOne({}, "first");
    const second = hold(otherHost, "second");
    await waitFor("both hosts busy", async () => (await Promise.all(hosts.map(busy))).every(Boolean));
    // Both busy: each host queues what NATS gives it (16 calls: both get some but once in 2^15 runs).
    const calls = Array.from(
      { length: 16 },
      () => math().call("pid", undefined, { timeout: "30s" }) as Promise<number>,
    );
    const waitingOn = async (host: RunningServices) => (await host.status()).services[0]?.backlog ?? 0;
    await waitFor("the 16 calls waiting on the two hosts", async () => {
      const [a, b] = await Promise.all([waitingOn(heldHost), waitingOn(otherHost)]);
      return a + b === 16;
    });
    const queuedOnHeld = await waitingOn(heldHost);
    assert.ok(queuedOnHeld > 0, "NATS gave the held host some of the calls");
    // The other host's drone comes free: every waiting call runs there, the held host's too.
    second.release();
    const otherDrone = await droneOf(otherHost);
    const pids = await Promise.all(calls);
    assert.deepEqual(new Set(pids), new Set([otherDrone]), "all 16 ran on the freed drone");
    const [heldService] = (await heldHost.status()).services;
    assert.equal(heldService?.counters.handedOff, queuedOnHeld, "the held host handed on all it had queued");
    assert.equal(heldService?.backlog, 0);
    const text = (await heldHost.cli("status")).stdout;
    assert.match(text, new RegExp(`, ${queuedOnHeld} handed to other hosts`), text);
    first.release();
    assert.equal(await first.call, await droneOf(heldHost));
  });

  it("takes back a call handed to a host that died since it said it was idle", async () => {
    const { held, heldHost, otherHost: deadHost } = await holdOne();
    // Killed with its drone, while the held host still counts it idle (a peer is forgotten after 3 s).
    const deadDrone = await droneOf(deadHost);
    process.kill(-deadHost.proc.pid, "SIGKILL");
    await deadHost.proc.waitForExit(10_000);
    await waitFor("its drone gone", () => deadDrone === undefined || !isAlive(deadDrone));
    // The only host left gets it; the dead one is handed it, the server bounces it, it comes back.
    const call = math().call("pid", undefined, { timeout: "30s" }) as Promise<number>;
    await waitFor("the held host to take the call back", () =>
      /a call handed to another host found it gone; this host takes it back/.test(heldHost.proc.output()),
    );
    held.release();
    const heldDrone = await droneOf(heldHost);
    assert.equal(await call, heldDrone, "it ran on the host it came to, once its drone was free");
    assert.equal(await held.call, heldDrone);
  });

  it("leaves each call on the host NATS gave it to with handOff false", async () => {
    const { held, heldHost, otherHost: idleHost } = await holdOne({ handOff: false });
    const calls = Array.from(
      { length: 16 },
      () => math().call("pid", undefined, { timeout: "30s" }) as Promise<number>,
    );
    const waitingOn = async (host: RunningServices) => (await host.status()).services[0]?.backlog ?? 0;
    // The idle host runs its share and is idle again; the held host's share waits for its drone.
    await waitFor("the idle host done with its share, the rest waiting on the held host", async () => {
      const [[idle], waiting] = await Promise.all([(await idleHost.status()).services, waitingOn(heldHost)]);
      return (idle?.counters.completed ?? 0) + waiting === 16;
    });
    const waiting = await waitingOn(heldHost);
    assert.ok(waiting > 0, "NATS gave the held host some of the calls, and they wait there");
    held.release();
    const pids = await Promise.all(calls);
    const heldDrone = await droneOf(heldHost);
    assert.equal(
      pids.filter((pid) => pid === heldDrone).length,
      waiting,
      "they ran on the held host's drone",
    );
    assert.equal((await heldHost.status()).services[0]?.counters.handedOff, 0);
    assert.equal(await held.call, heldDrone);
  });

  it("hands what waits on a host stopping gracefully to the other once its drone comes free", async () => {
    const { held: first, heldHost, otherHost } = await holdOne({}, "first");
    // The other host's drone too (a call NATS gives the busy host goes there as it arrives).
    const second = hold(otherHost, "second");
    await waitFor("both drones busy", async () => (await busy(heldHost)) && (await busy(otherHost)));
    const waiting = math().call("pid", undefined, { timeout: "20s" }) as Promise<number>;
    const backlog = async (host: RunningServices) => (await host.status()).services[0]?.backlog;
    const stopping = await waitFor("the call waiting on a host", async () =>
      (await backlog(heldHost)) === 1 ? heldHost : (await backlog(otherHost)) === 1 ? otherHost : undefined,
    );
    const [serving, stoppingsCall, servingsCall] =
      stopping === heldHost ? [otherHost, first, second] : [heldHost, second, first];
    const servingDrone = await droneOf(serving);
    const stopped = stopping.proc.stop(30_000);
    await waitFor("the stopping host out of the queue group", () =>
      /graceful stop: children finish their requests, drones their calls/.test(stopping.proc.output()),
    );
    // The serving host's drone comes free, while the stopping one's still runs its call.
    servingsCall.release();
    await servingsCall.call;
    assert.equal(await waiting, servingDrone, "the waiting call ran on the serving host");
    stoppingsCall.release();
    await stoppingsCall.call;
    assert.equal((await stopped).code, 0);
  });
});
