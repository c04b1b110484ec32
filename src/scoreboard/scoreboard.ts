// The scoreboard: shared memory that the master, every child and `drover status` map, holding a header,
// a process record per child slot and a worker record per worker slot. Sizes are fixed at creation.
import { DroverError, ErrorCode } from "../errors.ts";
import { createShm, openShm, type ShmSegment } from "../shm/index.ts";
import { Header, SCOREBOARD_LAYOUT, type ScoreboardLimits, scoreboardBytes } from "./layout.ts";
import { MasterRecords } from "./master-records.ts";
import { fewestOpenConnections, type ScoreboardSnapshot, snapshot } from "./reader.ts";
import { StackWords } from "./stack-words.ts";
import { ScoreboardView } from "./view.ts";
import { ProcessRecordWriter, WorkerRecordWriter } from "./writers.ts";

export interface CreateScoreboardOptions extends ScoreboardLimits {
  /** Absolute path of the shared-memory file, e.g. from shmPath(). */
  readonly path: string;
  /** Replace a file left at `path` by a master that died without cleaning up. */
  readonly replace?: boolean;
}

export class Scoreboard {
  readonly #segment: ShmSegment;
  readonly #view: ScoreboardView;
  #master: MasterRecords | undefined;

  private constructor(segment: ShmSegment) {
    this.#segment = segment;
    this.#view = new ScoreboardView(segment.buffer);
  }

  /** Creates the scoreboard file; the creator is the master and the only writer of the header. */
  static create(options: CreateScoreboardOptions): Scoreboard {
    const bytes = scoreboardBytes(options);
    const segment = createShm(options.path, bytes, SCOREBOARD_LAYOUT, { replace: options.replace ?? false });
    const i32 = new Int32Array(segment.buffer);
    Atomics.store(i32, Header.serverLimit, options.serverLimit);
    Atomics.store(i32, Header.workerLimit, options.workerLimit);
    const scoreboard = new Scoreboard(segment);
    scoreboard.master.initialize(process.pid, Date.now());
    return scoreboard;
  }

  /** Maps an existing scoreboard (a child, or `drover status`). */
  static open(path: string): Scoreboard {
    const segment = openShm(path, SCOREBOARD_LAYOUT);
    try {
      const i32 = new Int32Array(segment.buffer);
      const limits = {
        serverLimit: Atomics.load(i32, Header.serverLimit),
        workerLimit: Atomics.load(i32, Header.workerLimit),
      };
      if (scoreboardBytes(limits) !== segment.size)
        throw new Error(`size ${segment.size} does not fit its limits`);
    } catch (cause) {
      segment.close();
      throw new DroverError(
        ErrorCode.SHM_LAYOUT_MISMATCH,
        `${path} is a scoreboard whose header does not match its size: it is damaged or still being created; restart the master.`,
        { cause },
      );
    }
    return new Scoreboard(segment);
  }

  get path(): string {
    return this.#segment.path;
  }

  get limits(): ScoreboardLimits {
    return { serverLimit: this.#view.serverLimit, workerLimit: this.#view.workerLimit };
  }

  /** The master's writes (header and free slots): only the process that created the scoreboard has them. */
  get master(): MasterRecords {
    if (!this.#segment.owner) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_NOT_OWNER,
        `only the master that created ${this.path} writes its header and free slots; open it to read or to write a child's own records.`,
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

  /** The fewest connections another accepting child of `generation` holds; undefined if none accepts. */
  fewestOpenConnections(generation: number, exceptSlot: number): number | undefined {
    return fewestOpenConnections(this.#view, generation, exceptSlot);
  }

  /** A consistent copy of everything (no record is ever torn). */
  snapshot(): ScoreboardSnapshot {
    return snapshot(this.#view);
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

  /** Unmaps the scoreboard; the creator also removes the file. Idempotent. */
  close(): void {
    this.#segment.close();
  }
}
