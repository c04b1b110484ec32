// The scoreboard: shared memory that the master, every child and drone, and `drover status` map,
// holding a header, a process record per slot (children, then drones), a worker record per worker slot
// and a record per service of the dispatch pool. Sizes are fixed at creation.
import { DroverError, ErrorCode } from "../errors.ts";
import { createShm, type MapShmOptions, mapShm, openShm, type ShmSegment } from "../shm/index.ts";
import {
  checkDroneBase,
  DEFAULT_SERVICE_LIMIT,
  Header,
  SCOREBOARD_LAYOUT,
  type ScoreboardLimits,
  scoreboardBytes,
} from "./layout.ts";
import { MasterRecords } from "./master-records.ts";
import { fewestOpenConnections, STALE_PEER_MS } from "./peers.ts";
import { type ScoreboardSnapshot, snapshot } from "./reader.ts";
import { StackWords } from "./stack-words.ts";
import { ScoreboardView } from "./view.ts";
import { ProcessRecordWriter, WorkerRecordWriter } from "./writers.ts";

export interface CreateScoreboardOptions extends ScoreboardLimits {
  /** The memfd's name, e.g. `drover-<runId>.scoreboard`: how `drover status` finds it in /proc/<pid>/fd. */
  readonly name: string;
  /**
   * The first drone slot: the listener pool's serverLimit, the drones' slots after it (serverLimit here
   * counts both). Default serverLimit: no drone slots.
   */
  readonly droneBase?: number;
  /** Service records, one per service of the dispatch pool. Default DEFAULT_SERVICE_LIMIT (64). */
  readonly serviceLimit?: number;
}

export class Scoreboard {
  readonly #segment: ShmSegment;
  readonly #view: ScoreboardView;
  #master: MasterRecords | undefined;

  private constructor(segment: ShmSegment) {
    this.#segment = segment;
    this.#view = new ScoreboardView(segment.buffer);
  }

  /** Creates the scoreboard; the creator is the master and the only writer of the header. */
  static create(options: CreateScoreboardOptions): Scoreboard {
    const serviceLimit = options.serviceLimit ?? DEFAULT_SERVICE_LIMIT;
    const droneBase = options.droneBase ?? options.serverLimit;
    const bytes = scoreboardBytes({ ...options, serviceLimit });
    checkDroneBase(droneBase, options.serverLimit);
    const segment = createShm(options.name, bytes, SCOREBOARD_LAYOUT);
    const i32 = new Int32Array(segment.buffer);
    Atomics.store(i32, Header.serverLimit, options.serverLimit);
    Atomics.store(i32, Header.workerLimit, options.workerLimit);
    Atomics.store(i32, Header.droneBase, droneBase);
    Atomics.store(i32, Header.serviceLimit, serviceLimit);
    const scoreboard = new Scoreboard(segment);
    scoreboard.master.initialize(process.pid, Date.now());
    return scoreboard;
  }

  /**
   * Maps the scoreboard open as `fd`: a child's, inherited from the master at spawn, or a second
   * mapping in the same process (a worker thread, the status page). The descriptor stays open
   * unless `closeFd`.
   */
  static fromFd(fd: number, options: MapShmOptions = {}): Scoreboard {
    return Scoreboard.#checked(mapShm(fd, SCOREBOARD_LAYOUT, options));
  }

  /** Maps another process's scoreboard through its /proc/<pid>/fd/<n> link (`drover status`). */
  static open(path: string): Scoreboard {
    return Scoreboard.#checked(openShm(path, SCOREBOARD_LAYOUT));
  }

  // Its header's limits must account for its size exactly, or records would be read out of place.
  static #checked(segment: ShmSegment): Scoreboard {
    try {
      const i32 = new Int32Array(segment.buffer);
      const limits = {
        serverLimit: Atomics.load(i32, Header.serverLimit),
        workerLimit: Atomics.load(i32, Header.workerLimit),
        serviceLimit: Atomics.load(i32, Header.serviceLimit),
      };
      if (scoreboardBytes(limits) !== segment.size)
        throw new Error(`size ${segment.size} does not fit its limits`);
      checkDroneBase(Atomics.load(i32, Header.droneBase), limits.serverLimit);
    } catch (cause) {
      segment.close();
      throw new DroverError(
        ErrorCode.SHM_LAYOUT_MISMATCH,
        `${segment.name} is a scoreboard whose header does not match its size: it is damaged; restart the master.`,
        { cause },
      );
    }
    return new Scoreboard(segment);
  }

  /** The memfd's name. */
  get name(): string {
    return this.#segment.name;
  }

  /** The scoreboard's descriptor in this process: the master passes it to each child at spawn. */
  get fd(): number {
    return this.#segment.fd;
  }

  get limits(): ScoreboardLimits {
    return { serverLimit: this.#view.serverLimit, workerLimit: this.#view.workerLimit };
  }

  /** The first drone slot; the slots below it are the listener pool's children. */
  get droneBase(): number {
    return this.#view.droneBase;
  }

  /** How many service records it has. */
  get serviceLimit(): number {
    return this.#view.serviceLimit;
  }

  /**
   * The master's writes (header, free slots and service records): only the process that created the
   * scoreboard has them.
   */
  get master(): MasterRecords {
    if (!this.#segment.owner) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_NOT_OWNER,
        `only the master that created ${this.name} writes its header and free slots; map it to read or to write a child's own records.`,
      );
    }
    this.#master ??= new MasterRecords(this.#view);
    return this.#master;
  }

  /** The writer of a child's own process record. */
  processWriter(slot: number): ProcessRecordWriter {
    return new ProcessRecordWriter(this.#view, slot);
  }

  /** The writer of one of a child's own worker records. */
  workerWriter(slot: number, worker: number): WorkerRecordWriter {
    return new WorkerRecordWriter(this.#view, slot, worker);
  }

  /** The stack request and reply words of `slot` (see stack-words.ts). */
  stackWords(slot: number): StackWords {
    return new StackWords(this.#view, slot);
  }

  /**
   * The fewest connections another accepting child of `generation` holds; undefined if none accepts.
   * A peer whose heartbeat is older than `staleAfterMs` at `now` does not count: pass about twice your
   * heartbeat interval. Allocates nothing: it runs on every accepted connection.
   */
  fewestOpenConnections(
    generation: number,
    exceptSlot: number,
    now: number = Date.now(),
    staleAfterMs: number = STALE_PEER_MS,
  ): number | undefined {
    return fewestOpenConnections(this.#view, generation, exceptSlot, now, staleAfterMs);
  }

  /**
   * A copy of everything, each record consistent unless its writer stayed mid-update past the read
   * budget (then it says so), and records holding values out of range flagged damaged.
   */
  snapshot(now: number = Date.now()): ScoreboardSnapshot {
    return snapshot(this.#view, now);
  }

  /**
   * Stops writing the shared scoreboard: this process's writers go on writing a private copy, and the
   * mapping is released. A draining child does this before the master gives its slot to a new child,
   * so that every record keeps a single writer.
   */
  detach(): void {
    const copy = new ArrayBuffer(this.#segment.size);
    new Uint8Array(copy).set(new Uint8Array(this.#segment.buffer));
    this.#view.rebind(copy);
    this.#segment.close();
  }

  /** Unmaps the scoreboard, and closes its descriptor where this mapping owns it (the creator's). Idempotent. */
  close(): void {
    this.#segment.close();
  }
}
