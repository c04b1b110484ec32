// Reading a built-in module's options from its config entry: every field checked, unknown ones
// refused, each problem thrown as DROVER_ERR_MODULE_INVALID naming the module and the field.
import { ModuleInvalidError } from "../errors.ts";

export class ModuleOptions {
  readonly #module: string;
  readonly #options: Readonly<Record<string, unknown>>;

  /** Throws if `options` has a field not in `known`. */
  constructor(module: string, options: Readonly<Record<string, unknown>>, known: readonly string[]) {
    this.#module = module;
    this.#options = options;
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        const choices = known.length > 0 ? `its options are ${known.join(", ")}` : "it takes no options";
        throw this.#invalid(key, `is not an option of the ${module} module: ${choices}.`);
      }
    }
  }

  string(key: string, fallback: string, check?: (value: string) => string | undefined): string {
    const value = this.#options[key] ?? fallback;
    if (typeof value !== "string") throw this.#invalid(key, `must be a string, got ${describe(value)}.`);
    const problem = check?.(value);
    if (problem !== undefined) throw this.#invalid(key, problem);
    return value;
  }

  /** A URL path: starts with "/", no query or fragment. */
  path(key: string, fallback: string): string {
    return this.string(key, fallback, (value) =>
      /^\/[^?#\s]*$/.test(value)
        ? undefined
        : `must be a URL path starting with "/", got ${describe(value)}.`,
    );
  }

  optionalString(key: string): string | undefined {
    return this.#options[key] === undefined ? undefined : this.string(key, "");
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.#options[key] ?? fallback;
    if (typeof value !== "boolean")
      throw this.#invalid(key, `must be true or false, got ${describe(value)}.`);
    return value;
  }

  /** A whole number from `min` to `max`. */
  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.#options[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw this.#invalid(key, `must be a whole number from ${min} to ${max}, got ${describe(value)}.`);
    }
    return value;
  }

  stringArray(key: string, fallback: readonly string[]): readonly string[] {
    const value = this.#options[key] ?? fallback;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw this.#invalid(key, `must be an array of strings, got ${describe(value)}.`);
    }
    return Object.freeze([...value]);
  }

  /** A problem with `key` found while interpreting its value. */
  invalid(key: string, problem: string): ModuleInvalidError {
    return this.#invalid(key, problem);
  }

  #invalid(key: string, problem: string): ModuleInvalidError {
    return new ModuleInvalidError(this.#module, key, problem);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "string" ? JSON.stringify(value) : `${String(value)} (${typeof value})`;
}
