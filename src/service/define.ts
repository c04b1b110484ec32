// The service contract: what a service module default-exports for drover to run in every drone.
// The client is typed from it: `client.service<typeof import("./math.ts").default>("math")`.
import type { HookLogger } from "../modules/context.ts";

/** The session a call runs in: its id and a store that lives as long as the session, on its drone. */
export interface SessionContext {
  readonly id: string;
  readonly store: Map<string, unknown>;
}

/** What each drone knows about itself, given to childInit and childExit. */
export interface DroneContext {
  readonly service: string;
  readonly slot: number;
  readonly pid: number;
  readonly generation: number;
  readonly log: HookLogger;
}

/** What a method gets beside its params. */
export interface MethodContext extends DroneContext {
  /** Aborted at the call's deadline, or when its caller cancels it or goes away. */
  readonly signal: AbortSignal;
  /** The session the call runs in, if it runs in one. */
  readonly session: SessionContext | undefined;
  /** This drone exits after the current call, and a new one takes its place (OpenSRF's panic). */
  retire(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: a method's params and result are whatever it declares.
export type Method = (params: any, context: MethodContext) => unknown;

/** Why a session ended (onDisconnect's second argument). */
export type SessionEndReason = "closed" | "idle" | "lifetime" | "drain" | "gone";

export interface ServiceDefinition<M extends Record<string, Method> = Record<string, Method>> {
  /** The methods callers may call, by name. */
  readonly methods: M;
  /**
   * Methods safe to run twice: a call of one whose drone dies is run again on another drone (once).
   * Calls of other methods fail with DROVER_ERR_DRONE_EXITED instead.
   */
  readonly idempotent?: readonly (keyof M & string)[];
  /** Runs in each drone before it takes calls: open pools, warm caches. */
  readonly childInit?: (context: DroneContext) => void | Promise<void>;
  /** Runs in each drone after its last call, before it exits. */
  readonly childExit?: (context: DroneContext) => void | Promise<void>;
  /** Runs in the drone a session is pinned to, when it opens. */
  readonly onConnect?: (session: SessionContext, context: DroneContext) => void | Promise<void>;
  /** Runs in that drone when the session ends, however it ends. */
  readonly onDisconnect?: (
    session: SessionContext,
    reason: SessionEndReason,
    context: DroneContext,
  ) => void | Promise<void>;
}

const serviceBrand = Symbol.for("drover.service");

/** Declares a service for drover; `export default defineService({ methods: { ... } })`. */
export function defineService<M extends Record<string, Method>>(
  definition: ServiceDefinition<M>,
): ServiceDefinition<M> {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError("defineService() takes an object with `methods`");
  }
  const { methods } = definition;
  if (typeof methods !== "object" || methods === null || Object.keys(methods).length === 0) {
    throw new TypeError("defineService() needs `methods`: an object of at least one function");
  }
  for (const [name, method] of Object.entries(methods)) {
    if (typeof method !== "function")
      throw new TypeError(`defineService(): method "${name}" is not a function`);
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(name)) {
      throw new TypeError(
        `defineService(): method name "${name}" must be 1 to 128 letters, digits, or . _ : -`,
      );
    }
  }
  for (const name of definition.idempotent ?? []) {
    if (!Object.hasOwn(methods, name)) {
      throw new TypeError(`defineService(): idempotent names "${name}", which is not a method`);
    }
  }
  for (const hook of ["childInit", "childExit", "onConnect", "onDisconnect"] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== "function") {
      throw new TypeError(`defineService(): \`${hook}\` must be a function`);
    }
  }
  return Object.freeze({ ...definition, methods: Object.freeze({ ...methods }), [serviceBrand]: true });
}

/** Turns a module's default export into a service definition, or says what is wrong with it. */
export function toServiceDefinition(exported: unknown, where: string): ServiceDefinition {
  if (typeof exported === "object" && exported !== null && serviceBrand in exported) {
    return exported as unknown as ServiceDefinition;
  }
  throw new TypeError(
    `${where} must default-export \`defineService({ methods: { ... } })\`, got ` +
      (exported === undefined ? "no default export" : typeof exported),
  );
}

/**
 * What the client's typing needs of a service: its methods. (ServiceDefinition<M> itself does not
 * widen to ServiceDefinition<Record<string, Method>>, as `idempotent` names M's keys.)
 */
export interface ServiceShape {
  readonly methods: Record<string, Method>;
}

/** The params type of method `K` of a service definition. */
export type ParamsOf<D extends ServiceShape, K extends keyof D["methods"]> = Parameters<D["methods"][K]>[0];
/** The result type of method `K`, as it arrives. */
export type ResultOf<D extends ServiceShape, K extends keyof D["methods"]> = Awaited<
  ReturnType<D["methods"][K]>
>;
