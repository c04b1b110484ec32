// A drone is up once it has said both HELLO on its data channel and "ready" over IPC, which arrive in
// either order. The first HELLO of a generation tells its methods: once that generation serves, the
// pool refuses other names and runs again only the idempotent ones when their drone dies.
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";
import type { HelloHeader } from "./wire/messages.ts";

interface Methods {
  readonly names: ReadonlySet<string>;
  readonly idempotent: ReadonlySet<string>;
}

export class DroneHello {
  readonly #said = new WeakSet<Drone>();
  readonly #methods = new Map<number, Methods>();

  /** Its IPC "ready"; true when its HELLO came first: it is up now. */
  ready(drone: Drone): boolean {
    return this.#both(drone);
  }

  /** Its HELLO; true when its "ready" came first: it is up now. */
  hello(drone: Drone, hello: HelloHeader): boolean {
    if (!this.#methods.has(drone.generation)) {
      this.#methods.set(drone.generation, {
        names: new Set(hello.methods),
        idempotent: new Set(hello.idempotent),
      });
    }
    return this.#both(drone);
  }

  /** The pool takes `generation`'s methods (none known yet: every name is let through). */
  teach(pool: ServicePool, generation: number): void {
    const methods = this.#methods.get(generation);
    pool.methods = methods?.names;
    pool.idempotent = methods?.idempotent ?? new Set();
  }

  /** `generation` never serves. */
  forget(generation: number): void {
    this.#methods.delete(generation);
  }

  #both(drone: Drone): boolean {
    if (this.#said.has(drone)) return true;
    this.#said.add(drone);
    return false;
  }
}
