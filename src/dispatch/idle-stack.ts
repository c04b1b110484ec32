// A service's idle drones as OpenSRF keeps them: a LIFO stack, so that the drone that finished last
// (the warmest: its caches and JIT hot) takes the next call. A drone running fewer calls than its
// droneConcurrency is on the stack too, busy but with room.
import type { Drone } from "./drone.ts";

export class IdleStack {
  readonly #drones: Drone[] = [];

  /** The drones on the stack, the most recently used last. */
  get drones(): readonly Drone[] {
    return this.#drones;
  }

  /**
   * The warmest drone with room, taken off the stack (left on it if it still has room after). A
   * session takes a whole drone: only one running nothing will do.
   */
  take(wholeDrone = false): Drone | undefined {
    const drones = this.#drones;
    if (wholeDrone) {
      const at = drones.findLastIndex((drone) => drone.takesCalls && drone.running.size === 0);
      const drone = drones[at];
      if (!drone) return undefined;
      drones.splice(at, 1);
      return drone;
    }
    for (;;) {
      const drone = drones.at(-1);
      if (!drone) return undefined;
      if (!drone.takesCalls) {
        drones.pop();
        continue;
      }
      if (drone.running.size + 1 >= drone.concurrency) drones.pop();
      return drone;
    }
  }

  /** Puts a drone with room for another call on top. */
  push(drone: Drone): void {
    drone.state = drone.running.size === 0 ? "idle" : "busy";
    drone.idleSince = Date.now();
    this.remove(drone);
    this.#drones.push(drone);
  }

  /** Takes a drone off the stack (it leaves, or is pinned). */
  remove(drone: Drone): void {
    const at = this.#drones.indexOf(drone);
    if (at >= 0) this.#drones.splice(at, 1);
  }
}
