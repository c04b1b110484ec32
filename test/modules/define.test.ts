import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDroverError } from "../../src/errors.ts";
import {
  defineModule,
  HookRegistry,
  isDefinedModule,
  type ModuleDefinition,
  ModuleInvalidError,
} from "../../src/modules/index.ts";

const noop = () => {};

/** Asserts that `define` is refused with DROVER_ERR_MODULE_INVALID naming `module` and `field`. */
function assertInvalid(define: () => unknown, module: string | undefined, field: string) {
  assert.throws(define, (error: unknown) => {
    assert.ok(isDroverError(error, "DROVER_ERR_MODULE_INVALID"), String(error));
    assert.ok(error instanceof ModuleInvalidError);
    assert.equal(error.module, module);
    assert.equal(error.field, field);
    if (module !== undefined) assert.match(error.message, new RegExp(`module "${module}"`));
    assert.ok(error.message.includes(field), error.message);
    return true;
  });
}

// Definitions that TypeScript would refuse, as a JavaScript caller (or a config file) could pass them.
const untyped = (definition: unknown) => () => defineModule(definition as ModuleDefinition);

describe("defineModule", () => {
  it("freezes the module and resolves an order for each phase it has a hook in", () => {
    const module = defineModule({
      name: "mod_shm-counter.v2",
      hooks: { postConfig: noop, childInit: noop },
      order: { position: "first", after: ["log"] },
    });
    assert.ok(isDefinedModule(module));
    assert.ok(Object.isFrozen(module) && Object.isFrozen(module.hooks) && Object.isFrozen(module.order));
    assert.deepEqual(Object.keys(module.hooks), ["postConfig", "childInit"]);
    assert.deepEqual(module.order, {
      postConfig: { position: "first", before: [], after: ["log"] },
      childInit: { position: "first", before: [], after: ["log"] },
    });
  });

  it("takes an order per phase, the others running in the middle", () => {
    const module = defineModule({
      name: "status",
      hooks: { postConfig: noop, monitor: noop, childExit: undefined },
      order: { monitor: { position: "last", before: ["a", "a"] } },
    });
    assert.deepEqual(Object.keys(module.hooks), ["postConfig", "monitor"]);
    assert.deepEqual(module.order, {
      postConfig: { position: "middle", before: [], after: [] },
      monitor: { position: "last", before: ["a"], after: [] },
    });
  });

  it("is not fooled by later changes to the definition", () => {
    const before = ["a"];
    const hooks: ModuleDefinition["hooks"] = { postConfig: noop };
    const module = defineModule({ name: "m", hooks, order: { before } });
    before.push("b");
    hooks.monitor = noop;
    assert.deepEqual(module.order.postConfig?.before, ["a"]);
    assert.equal(module.hooks.monitor, undefined);
  });

  it("refuses a definition that is not an object", () => {
    assertInvalid(untyped(null), undefined, "definition");
    assertInvalid(untyped("mod"), undefined, "definition");
  });

  it("refuses a missing, empty or badly spelt name", () => {
    assertInvalid(untyped({ hooks: {} }), undefined, "name");
    assertInvalid(untyped({ name: "", hooks: {} }), undefined, "name");
    assertInvalid(untyped({ name: 42, hooks: {} }), undefined, "name");
    assertInvalid(untyped({ name: "mod status", hooks: {} }), "mod status", "name");
    assertInvalid(untyped({ name: "../x", hooks: {} }), "../x", "name");
  });

  it("refuses unknown fields, phases and hooks that are not functions", () => {
    assertInvalid(untyped({ name: "m", hook: {} }), "m", "hook");
    assertInvalid(untyped({ name: "m" }), "m", "hooks");
    assertInvalid(untyped({ name: "m", hooks: [noop] }), "m", "hooks");
    assertInvalid(untyped({ name: "m", hooks: { postconfig: noop } }), "m", "hooks.postconfig");
    assertInvalid(untyped({ name: "m", hooks: { childInit: "init" } }), "m", "hooks.childInit");
  });

  it("refuses a bad order", () => {
    const hooks = { postConfig: noop };
    assertInvalid(untyped({ name: "m", hooks, order: "first" }), "m", "order");
    assertInvalid(untyped({ name: "m", hooks, order: { position: "early" } }), "m", "order.position");
    assertInvalid(untyped({ name: "m", hooks, order: { before: "a" } }), "m", "order.before");
    assertInvalid(untyped({ name: "m", hooks, order: { after: ["a", 7] } }), "m", "order.after");
    assertInvalid(untyped({ name: "m", hooks, order: { after: ["m"] } }), "m", "order.after");
    assertInvalid(untyped({ name: "m", hooks, order: { monitor: {}, position: "first" } }), "m", "order");
    assertInvalid(
      untyped({ name: "m", hooks, order: { monitor: { position: "last" } } }),
      "m",
      "order.monitor",
    );
    assertInvalid(untyped({ name: "m", hooks, order: { postconfig: {} } }), "m", "order.postconfig");
    assertInvalid(
      untyped({ name: "m", hooks, order: { postConfig: { first: true } } }),
      "m",
      "order.postConfig.first",
    );
  });

  it("is applied by register() to a definition, and a name is registered once", () => {
    const registry = new HookRegistry();
    registry.register({ name: "a", hooks: { postConfig: noop } });
    assert.ok(registry.has("a"));
    assertInvalid(
      () => registry.register({ name: "b", hooks: { init: noop } } as unknown as ModuleDefinition),
      "b",
      "hooks.init",
    );
    assertInvalid(() => registry.register(defineModule({ name: "a", hooks: {} })), "a", "name");
    assert.deepEqual(registry.names(), ["a"]);
  });
});
