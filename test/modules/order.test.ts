import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDroverError } from "../../src/errors.ts";
import { HookRegistry, ModuleOrderError, type Order, PHASES } from "../../src/modules/index.ts";

const noop = () => {};

/** A registry of modules that each hook postConfig, registered in the order given. */
function registryOf(...modules: [name: string, order?: Order][]): HookRegistry {
  const registry = new HookRegistry();
  for (const [name, order] of modules) registry.register({ name, hooks: { postConfig: noop }, order });
  return registry;
}

describe("hook order", () => {
  it("is registration order when no module asks for anything", () => {
    assert.deepEqual(registryOf(["c"], ["a"], ["b"]).order("postConfig"), ["c", "a", "b"]);
  });

  it("puts first, then middle, then last, registration order within each", () => {
    const registry = registryOf(
      ["late1", { position: "last" }],
      ["mid1"],
      ["early1", { position: "first" }],
      ["mid2", { position: "middle" }],
      ["late2", { position: "last" }],
      ["early2", { position: "first" }],
    );
    assert.deepEqual(registry.order("postConfig"), ["early1", "early2", "mid1", "mid2", "late1", "late2"]);
  });

  it("runs a hook after those it must follow, the others keeping their places", () => {
    const registry = registryOf(["a"], ["b"], ["c", { before: ["b"] }], ["d"], ["e", { after: ["a"] }]);
    assert.deepEqual(registry.order("postConfig"), ["a", "c", "b", "d", "e"]);
  });

  it("lets before/after win over positions, a hook waiting for its predecessors", () => {
    // As in Apache, a hook is not pulled forward by the hooks that must follow it: "ssl" (first) waits
    // for "log" (last), and "core" (first) for "cache" (last), while "status" runs as soon as it can.
    const registry = registryOf(
      ["ssl", { position: "first", after: ["log"] }],
      ["core", { position: "first" }],
      ["status"],
      ["log", { position: "last" }],
      ["cache", { position: "last", before: ["core"] }],
    );
    assert.deepEqual(registry.order("postConfig"), ["status", "log", "ssl", "cache", "core"]);
  });

  it("follows chains of constraints", () => {
    const registry = registryOf(["c", { after: ["b"] }], ["b", { after: ["a"] }], ["a"]);
    assert.deepEqual(registry.order("postConfig"), ["a", "b", "c"]);
  });

  it("ignores names that are not registered, or have no hook in the phase", () => {
    const registry = registryOf(["a", { after: ["absent", "b"] }], ["b", { before: ["ghost"] }]);
    registry.register({ name: "quiet", hooks: { monitor: noop }, order: { before: ["a"] } });
    assert.deepEqual(registry.order("postConfig"), ["b", "a"]);
    assert.deepEqual(registry.order("monitor"), ["quiet"]);
  });

  it("is worked out per phase, each module's hooks in their own order", () => {
    const registry = new HookRegistry()
      .register({
        name: "a",
        hooks: { postConfig: noop, monitor: noop },
        order: { monitor: { position: "last" } },
      })
      .register({ name: "b", hooks: { postConfig: noop, monitor: noop, childInit: noop } });
    assert.deepEqual(registry.order("postConfig"), ["a", "b"]);
    assert.deepEqual(registry.order("monitor"), ["b", "a"]);
    assert.deepEqual(registry.order("childInit"), ["b"]);
    assert.deepEqual(registry.order("preConfig"), []);
  });

  it("refuses a module that closes a cycle, naming the modules in it", () => {
    const registry = registryOf(["a", { before: ["b"] }], ["b", { before: ["c"] }], ["x"]);
    assert.throws(
      () => registry.register({ name: "c", hooks: { postConfig: noop }, order: { before: ["a"] } }),
      (error: unknown) => {
        assert.ok(isDroverError(error, "DROVER_ERR_MODULE_ORDER"), String(error));
        assert.ok(error instanceof ModuleOrderError);
        assert.equal(error.phase, "postConfig");
        assert.deepEqual(error.modules, ["a", "b", "c"]);
        assert.match(error.message, /postConfig/);
        assert.match(error.message, /"a" before "b", "b" before "c", "c" before "a"/);
        assert.doesNotMatch(error.message, /"x"/);
        return true;
      },
    );
    // The registry is left as it was, and still orders its hooks.
    assert.deepEqual(registry.names(), ["a", "b", "x"]);
    assert.deepEqual(registry.order("postConfig"), ["a", "b", "x"]);
  });

  it("refuses a two-module cycle made of before on one side and before on the other", () => {
    const registry = registryOf(["a", { position: "last", before: ["b"] }]);
    assert.throws(
      () => registry.register({ name: "b", hooks: { postConfig: noop }, order: { before: ["a"] } }),
      {
        code: "DROVER_ERR_MODULE_ORDER",
        modules: ["b", "a"],
      },
    );
  });

  it("names only the cycle, not the hooks waiting on it", () => {
    const registry = registryOf(["w", { after: ["p"] }], ["p", { before: ["q"] }]);
    assert.throws(
      () => registry.register({ name: "q", hooks: { postConfig: noop }, order: { before: ["p"] } }),
      {
        code: "DROVER_ERR_MODULE_ORDER",
        modules: ["p", "q"],
      },
    );
  });

  it("allows opposite constraints in different phases", () => {
    const registry = new HookRegistry()
      .register({
        name: "a",
        hooks: { postConfig: noop, monitor: noop },
        order: { postConfig: { before: ["b"] } },
      })
      .register({
        name: "b",
        hooks: { postConfig: noop, monitor: noop },
        order: { monitor: { before: ["a"] } },
      });
    assert.deepEqual(registry.order("postConfig"), ["a", "b"]);
    assert.deepEqual(registry.order("monitor"), ["b", "a"]);
  });

  it("gives every phase a valid order for many modules with random constraints", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const positions = ["first", "middle", "last"] as const;
    const registry = new HookRegistry();
    const orders = new Map<string, Order>();
    for (let i = 0; i < 40; i++) {
      // Only constraints towards modules registered earlier (after) or later (before), never both
      // ways, so there is no cycle.
      const order: Order = {
        position: positions[random(3)] ?? "middle",
        after: i > 0 ? [`m${random(i)}`] : [],
        before: [`m${i + 1 + random(5)}`],
      };
      orders.set(`m${i}`, order);
      registry.register({ name: `m${i}`, hooks: Object.fromEntries(PHASES.map((p) => [p, noop])), order });
    }
    for (const phase of PHASES) {
      const run = registry.order(phase);
      assert.equal(run.length, 40);
      for (const [name, order] of orders) {
        for (const later of order.before ?? []) {
          if (registry.has(later))
            assert.ok(run.indexOf(name) < run.indexOf(later), `${name} before ${later}`);
        }
        for (const earlier of order.after ?? []) assert.ok(run.indexOf(earlier) < run.indexOf(name));
      }
    }
  });
});
