// State a module keeps across restarts. Apache modules hide a flag in the process pool to tell the
// configuration-check pass from the live one; drover runs postConfig once per generation and gives
// each module a store that outlives generations instead, so "did I already create this?" is a lookup.
// The store lives in the master's memory only: a child starts with nothing from it.

/** One module's retained values: what its hooks see as `context.retained`. */
export interface RetainedStore {
  /** The value stored under `key`, or undefined. The caller vouches for `T`: nothing checks it. */
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  has(key: string): boolean;
  /** Removes `key`; true if it was there. */
  delete(key: string): boolean;
  /** The value under `key`; if there is none, calls `create` and stores what it returns. */
  getOrCreate<T>(key: string, create: () => T): T;
}

/** Every module's retained store, one namespace per module name. Keep one for the master's whole life. */
export class RetainedData {
  readonly #namespaces = new Map<string, Map<string, unknown>>();

  /** The store of the module named `module` (created empty the first time). */
  namespace(module: string): RetainedStore {
    let values = this.#namespaces.get(module);
    if (values === undefined) {
      values = new Map();
      this.#namespaces.set(module, values);
    }
    return storeOver(values);
  }

  /** The names of the modules that have a namespace. */
  modules(): string[] {
    return [...this.#namespaces.keys()];
  }
}

// A view over one namespace's map that cannot reach any other namespace.
function storeOver(values: Map<string, unknown>): RetainedStore {
  return Object.freeze({
    get: <T>(key: string) => values.get(key) as T | undefined,
    set: (key: string, value: unknown) => {
      values.set(key, value);
    },
    has: (key: string) => values.has(key),
    delete: (key: string) => values.delete(key),
    getOrCreate: <T>(key: string, create: () => T): T => {
      if (values.has(key)) return values.get(key) as T;
      const value = create();
      values.set(key, value);
      return value;
    },
  });
}
