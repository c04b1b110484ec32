// Which generations of one service are alive: the one serving, the one that served last once none
// does (the service left the config), and those starting (each waits for minDrones of its drones).
import type { ResolvedService } from "../config/types/service.ts";
import type { Generation } from "../master/generations/generation.ts";
import { GenerationStart } from "../master/generations/generation-start.ts";

export class ServiceGenerations {
  readonly #name: string;
  #serving: Generation | undefined;
  #last: Generation | undefined;
  readonly #starts = new Map<number, GenerationStart>();

  constructor(name: string) {
    this.#name = name;
  }

  /** The generation whose drones take the calls, if any. */
  get serving(): Generation | undefined {
    return this.#serving;
  }

  /** The serving generation, or the last one that served. */
  get latest(): Generation | undefined {
    return this.#serving ?? this.#last;
  }

  /** Whether the drones of generation `number` take the calls. */
  serves(number: number): boolean {
    return this.#serving?.number === number;
  }

  starting(number: number): boolean {
    return this.#starts.has(number);
  }

  /** The start of generation `number` under way, if it is. */
  startOf(number: number): GenerationStart | undefined {
    return this.#starts.get(number);
  }

  /** Runs `fork` for a start of `generation` and waits until `drones` of its drones are ready. */
  async start(
    generation: Generation,
    drones: number,
    signal: AbortSignal,
    fork: (start: GenerationStart) => void,
  ): Promise<void> {
    const start = new GenerationStart(generation.number, drones, signal);
    this.#starts.set(generation.number, start);
    try {
      fork(start);
      await start.done;
    } finally {
      this.#starts.delete(generation.number);
    }
  }

  promote(generation: Generation): void {
    this.#serving = generation;
  }

  /** The service left the config: none serves now. */
  retire(): void {
    this.#last = this.#serving;
    this.#serving = undefined;
  }

  /** The service as `generation`'s config has it (`fallback` once it has left that config). */
  configOf(generation: Generation, fallback: ResolvedService): ResolvedService {
    return generation.config.services.find((service) => service.name === this.#name) ?? fallback;
  }
}
