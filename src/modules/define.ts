// defineModule: checks a module's definition once, at the boundary, and turns it into the frozen form
// the registry works from, with an order resolved for each phase the module has a hook in.
import type { HookFn } from "./context.ts";
import { ModuleInvalidError } from "./errors.ts";
import { isPhase, PHASES, type Phase } from "./phases.ts";

/** Where a hook asks to run among its phase's hooks, as Apache's APR_HOOK_FIRST, MIDDLE and LAST. */
export type Position = "first" | "middle" | "last";

/** How a hook asks to be ordered. `before`/`after` name other modules; names not registered are ignored. */
export interface Order {
  /** The group the hook runs in; "middle" if not given. Modules run in registration order within a group. */
  position?: Position;
  /** Modules whose hook in the same phase must run after this one. */
  before?: readonly string[];
  /** Modules whose hook in the same phase must run before this one. */
  after?: readonly string[];
}

/** The hooks of a module, by phase. */
export type ModuleHooks = { [P in Phase]?: HookFn<P> };

export interface ModuleDefinition {
  /** Letters, digits, `_`, `.` and `-`; unique within a registry. */
  name: string;
  hooks: ModuleHooks;
  /** One order for every hook of the module, or one per phase. */
  order?: Order | { [P in Phase]?: Order };
}

/** An order with every field filled in. */
export interface ResolvedOrder {
  readonly position: Position;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** A checked module, ready to register: frozen, with an order for each phase it has a hook in. */
export interface DroverModule {
  readonly name: string;
  readonly hooks: Readonly<ModuleHooks>;
  readonly order: Readonly<{ [P in Phase]?: ResolvedOrder }>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const POSITIONS: readonly string[] = ["first", "middle", "last"];
const ORDER_KEYS: readonly string[] = ["position", "before", "after"];
const DEFINITION_KEYS: readonly string[] = ["name", "hooks", "order"];
const MIDDLE: ResolvedOrder = Object.freeze({ position: "middle", before: [], after: [] });

// Modules made here, so that register() need not check them again.
const defined = new WeakSet<object>();

/** Checks a module definition and returns it as a DroverModule; throws DROVER_ERR_MODULE_INVALID. */
export function defineModule(definition: ModuleDefinition): DroverModule {
  if (!isRecord(definition)) {
    throw new ModuleInvalidError(undefined, "definition", `must be an object, got ${typeName(definition)}.`);
  }
  const name = checkName(definition.name);
  const invalid = (field: string, problem: string) => new ModuleInvalidError(name, field, problem);
  for (const key of Object.keys(definition)) {
    if (!DEFINITION_KEYS.includes(key)) {
      throw invalid(key, "is not a field of a module: use name, hooks and order.");
    }
  }

  const hooks = checkHooks(definition.hooks, invalid);
  const order = resolveOrders(definition.order, Object.keys(hooks) as Phase[], name, invalid);
  const module: DroverModule = Object.freeze({ name, hooks, order });
  defined.add(module);
  return module;
}

/** Whether `value` came from defineModule. */
export function isDefinedModule(value: unknown): value is DroverModule {
  return typeof value === "object" && value !== null && defined.has(value);
}

type Invalid = (field: string, problem: string) => ModuleInvalidError;

function checkName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    const module = typeof name === "string" && name !== "" ? name : undefined;
    throw new ModuleInvalidError(
      module,
      "name",
      `must be a non-empty string of letters, digits, "_", "." and "-", got ${JSON.stringify(name) ?? typeName(name)}.`,
    );
  }
  return name;
}

function checkHooks(hooks: unknown, invalid: Invalid): Readonly<ModuleHooks> {
  if (!isRecord(hooks)) {
    throw invalid("hooks", `must be an object of hook functions by phase, got ${typeName(hooks)}.`);
  }
  const checked: Record<string, unknown> = {};
  for (const [phase, hook] of Object.entries(hooks)) {
    if (!isPhase(phase)) {
      throw invalid(`hooks.${phase}`, `is not a hook phase: use one of ${PHASES.join(", ")}.`);
    }
    if (hook === undefined) continue;
    if (typeof hook !== "function") {
      throw invalid(`hooks.${phase}`, `must be a function, got ${typeName(hook)}.`);
    }
    checked[phase] = hook;
  }
  return Object.freeze(checked as ModuleHooks);
}

// `order` is either one Order for every hook, or an Order per phase: its keys tell which.
function resolveOrders(
  order: unknown,
  hookPhases: readonly Phase[],
  name: string,
  invalid: Invalid,
): Readonly<{ [P in Phase]?: ResolvedOrder }> {
  const resolved: { [P in Phase]?: ResolvedOrder } = {};
  if (order === undefined) {
    for (const phase of hookPhases) resolved[phase] = MIDDLE;
    return Object.freeze(resolved);
  }
  if (!isRecord(order)) throw invalid("order", `must be an object, got ${typeName(order)}.`);
  const keys = Object.keys(order);
  if (keys.every((key) => ORDER_KEYS.includes(key))) {
    const shared = resolveOrder(order, "order", name, invalid);
    for (const phase of hookPhases) resolved[phase] = shared;
    return Object.freeze(resolved);
  }
  const mixed = keys.find((key) => ORDER_KEYS.includes(key));
  if (mixed !== undefined) {
    throw invalid(
      "order",
      `mixes ${mixed} with orders by phase: give one order for every hook, or one per phase.`,
    );
  }
  for (const key of keys) {
    if (!isPhase(key)) {
      throw invalid(`order.${key}`, "is neither position, before nor after, nor a hook phase.");
    }
    if (!hookPhases.includes(key)) {
      throw invalid(`order.${key}`, `is given, but the module has no ${key} hook.`);
    }
  }
  for (const phase of hookPhases) {
    const own = (order as Record<string, unknown>)[phase];
    resolved[phase] = own === undefined ? MIDDLE : resolveOrder(own, `order.${phase}`, name, invalid);
  }
  return Object.freeze(resolved);
}

function resolveOrder(order: unknown, field: string, name: string, invalid: Invalid): ResolvedOrder {
  if (!isRecord(order)) throw invalid(field, `must be an object, got ${typeName(order)}.`);
  for (const key of Object.keys(order)) {
    if (!ORDER_KEYS.includes(key)) {
      throw invalid(`${field}.${key}`, "is not part of an order: use position, before and after.");
    }
  }
  const { position = "middle", before = [], after = [] } = order;
  if (typeof position !== "string" || !POSITIONS.includes(position)) {
    throw invalid(
      `${field}.position`,
      `must be "first", "middle" or "last", got ${JSON.stringify(position) ?? typeName(position)}.`,
    );
  }
  return Object.freeze({
    position: position as Position,
    before: checkNames(before, `${field}.before`, name, invalid),
    after: checkNames(after, `${field}.after`, name, invalid),
  });
}

function checkNames(names: unknown, field: string, self: string, invalid: Invalid): readonly string[] {
  if (!Array.isArray(names)) {
    throw invalid(field, `must be an array of module names, got ${typeName(names)}.`);
  }
  for (const name of names) {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw invalid(field, `must hold module names, got ${JSON.stringify(name) ?? typeName(name)}.`);
    }
    if (name === self) {
      throw invalid(field, "names the module itself: a module cannot run before or after itself.");
    }
  }
  return Object.freeze([...new Set<string>(names)]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
