// Each service's record in the scoreboard's service region (what drover status, the status page and
// /metrics show of it): which record a new service takes, and when the records are written: at once
// for a change of generation, within PUBLISH_MS of a change in the pool, once a second otherwise.
import { DroverError, ErrorCode } from "../errors.ts";
import type { Scoreboard } from "../scoreboard/index.ts";
import type { ServiceDrones } from "./service-drones.ts";

// How soon a change reaches the scoreboard's service records.
const PUBLISH_MS = 100;

export class ServiceRecords {
  readonly #scoreboard: () => Scoreboard | undefined;
  readonly #services: () => Iterable<ServiceDrones>;
  #publishing: NodeJS.Timeout | undefined;

  /** `services`: every service that has a record (those serving, and those retired whose drones finish). */
  constructor(scoreboard: () => Scoreboard | undefined, services: () => Iterable<ServiceDrones>) {
    this.#scoreboard = scoreboard;
    this.#services = services;
  }

  /** The first record no service holds; throws when the scoreboard has none left. */
  free(service: string): number {
    const taken = new Set([...this.#services()].map((holder) => holder.index));
    const limit = this.#scoreboard()?.serviceLimit ?? 0;
    let index = 0;
    while (taken.has(index)) index++;
    if (index >= limit) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_LIMITS,
        `service "${service}" finds no free record among the scoreboard's ${limit}: run fewer services, or restart the master after a reload that dropped some`,
      );
    }
    return index;
  }

  clear(index: number): void {
    this.#scoreboard()?.master.clearService(index);
  }

  publishSoon(): void {
    if (this.#publishing) return;
    this.#publishing = setTimeout(() => this.publish(), PUBLISH_MS);
    this.#publishing.unref();
  }

  publish(): void {
    clearTimeout(this.#publishing);
    this.#publishing = undefined;
    const scoreboard = this.#scoreboard();
    if (!scoreboard) return;
    for (const service of this.#services()) scoreboard.master.writeService(service.index, service.fields());
  }
}
