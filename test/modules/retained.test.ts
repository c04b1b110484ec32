import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type HookContext,
  HookRegistry,
  type ModuleDefinition,
  type RestartKind,
  RetainedData,
} from "../../src/modules/index.ts";
import { childInput, masterInput } from "./helpers.ts";

describe("retained store", () => {
  it("gets, sets, tests, deletes and creates on first use", () => {
    const store = new RetainedData().namespace("m");
    assert.equal(store.get("k"), undefined);
    assert.equal(store.has("k"), false);
    store.set("k", 1);
    assert.equal(store.get<number>("k"), 1);
    assert.ok(store.has("k"));
    assert.ok(store.delete("k"));
    assert.equal(store.delete("k"), false);

    let made = 0;
    const create = () => ({ made: ++made });
    const first = store.getOrCreate("segment", create);
    assert.equal(store.getOrCreate("segment", create), first);
    assert.equal(made, 1);
    // A stored undefined counts as present: the factory is not called again.
    store.set("nothing", undefined);
    assert.equal(
      store.getOrCreate("nothing", () => "made"),
      undefined,
    );
    // A factory that throws stores nothing.
    assert.throws(() =>
      store.getOrCreate("bad", () => {
        throw new Error("no");
      }),
    );
    assert.equal(store.has("bad"), false);
  });

  it("keeps each module to its own namespace", async () => {
    const registry = new HookRegistry()
      .register({ name: "a", hooks: { postConfig: ({ retained }) => retained.set("key", "a's") } })
      .register({
        name: "b",
        hooks: {
          postConfig: ({ retained }) => {
            assert.equal(retained.has("key"), false);
            retained.set("key", "b's");
          },
        },
      });
    await registry.run("postConfig", masterInput());
    assert.equal(registry.retained.namespace("a").get("key"), "a's");
    assert.equal(registry.retained.namespace("b").get("key"), "b's");
    assert.deepEqual(registry.retained.modules().sort(), ["a", "b"]);
  });
});

// A master's life in miniature: each generation builds a registry from that generation's modules,
// hands it the RetainedData kept since the first start, and runs the master's phases, then childInit
// as a child would.
async function startGeneration(
  retained: RetainedData,
  generation: number,
  restart: RestartKind,
  modules: ModuleDefinition[],
): Promise<HookRegistry> {
  const registry = new HookRegistry({ retained });
  for (const module of modules) registry.register(module);
  for (const phase of ["preConfig", "checkConfig", "openLogs", "postConfig"] as const) {
    await registry.run(phase, masterInput(generation, restart));
  }
  await registry.run("childInit", childInput(0, 1000 + generation, generation, restart));
  return registry;
}

describe("retained store across restarts", () => {
  it("survives graceful and hard restarts, and each hook sees which one it is", async () => {
    const seen: [number, RestartKind, number][] = [];
    const counter: ModuleDefinition = {
      name: "shm_counter",
      hooks: {
        postConfig: ({ retained, generation, restart }) => {
          const segment = retained.getOrCreate("segment", () => ({ createdIn: generation }));
          const starts = (retained.get<number>("starts") ?? 0) + 1;
          retained.set("starts", starts);
          seen.push([generation, restart, segment.createdIn]);
        },
      },
    };
    const retained = new RetainedData();
    await startGeneration(retained, 0, "first", [counter]);
    await startGeneration(retained, 1, "graceful", [counter]);
    await startGeneration(retained, 2, "hard", [counter]);
    assert.deepEqual(seen, [
      [0, "first", 0],
      [1, "graceful", 0],
      [2, "hard", 0],
    ]);
    assert.equal(retained.namespace("shm_counter").get("starts"), 3);
  });

  it("has no 'first call only sets a flag' failure: a module added later initialises at once", async () => {
    // The seed's trick skips post_config's first call. A module loaded by a restart sees post_config
    // only once there, so it never initialises and its child_init finds nothing. drover calls
    // postConfig once per generation, and a new module's empty store says it has work to do.
    const calls: string[] = [];
    const lateModule: ModuleDefinition = {
      name: "late",
      hooks: {
        postConfig: (context: HookContext<"postConfig">) => {
          calls.push(`postConfig ${context.generation} ${context.restart}`);
          // Empty at the module's first generation; from then on, what it made is there.
          assert.equal(context.retained.has("lock"), context.generation > 2);
          context.retained.getOrCreate("lock", () => `lock made in generation ${context.generation}`);
        },
        childInit: ({ generation }) => {
          calls.push(`childInit ${generation}`);
        },
      },
    };
    const base: ModuleDefinition = { name: "core", hooks: { postConfig: () => {} } };
    const retained = new RetainedData();
    await startGeneration(retained, 0, "first", [base]);
    await startGeneration(retained, 1, "graceful", [base]);
    assert.equal(retained.modules().includes("late"), false);

    await startGeneration(retained, 2, "graceful", [base, lateModule]);
    assert.deepEqual(calls, ["postConfig 2 graceful", "childInit 2"]);
    assert.equal(retained.namespace("late").get("lock"), "lock made in generation 2");

    await startGeneration(retained, 3, "graceful", [base, lateModule]);
    assert.deepEqual(calls, ["postConfig 2 graceful", "childInit 2", "postConfig 3 graceful", "childInit 3"]);
    assert.equal(retained.namespace("late").get("lock"), "lock made in generation 2");
  });

  it("starts empty in a registry of its own, as in a child", async () => {
    const master = new HookRegistry();
    master.retained.namespace("m").set("secret", 1);
    const child = new HookRegistry().register({
      name: "m",
      hooks: { childInit: ({ retained }) => assert.equal(retained.has("secret"), false) },
    });
    await child.run("childInit", childInput(0, 1));
    assert.notEqual(child.retained, master.retained);
  });
});
