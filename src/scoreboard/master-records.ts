// What the master writes: the header (it is the header's only writer), a slot while no child or drone
// owns it, that is before the fork and after the reap, and the service records. A child that died
// mid-update leaves its records odd-numbered; reclaiming the slot makes them consistent again. The one
// exception is the stack request word, which the master increments while a child owns the slot (see
// stack-words.ts).
import { DroverError, ErrorCode } from "../errors.ts";
import { Header, HeaderF64, Proc, ProcessRole, ProcF64, Work, WorkF64 } from "./layout.ts";
import { beginWrite, endWrite, resetSequence } from "./seqlock.ts";
import { clearServiceRecord, type ServiceFields, writeServiceRecord } from "./service-records.ts";
import { ProcessState, WorkerState } from "./states.ts";
import type { ScoreboardView } from "./view.ts";

export type { HistogramFields, ServiceCounterFields, ServiceFields } from "./service-records.ts";

export class MasterRecords {
  readonly #view: ScoreboardView;

  constructor(view: ScoreboardView) {
    this.#view = view;
  }

  /** Starts the header's life: called once, by the process that created the scoreboard. */
  initialize(masterPid: number, now: number): void {
    this.#writeHeader(() => {
      this.#view.i32[Header.masterPid] = masterPid;
      this.#view.f64[HeaderF64.startTime] = now;
      this.#view.f64[HeaderF64.restartTime] = now;
    });
  }

  /** A new generation begins: at start (`restart` undefined), or by a graceful or hard restart. */
  setGeneration(generation: number, now: number, restart?: "graceful" | "hard"): void {
    this.#writeHeader(() => {
      this.#view.i32[Header.generation] = generation;
      this.#view.f64[HeaderF64.restartTime] = now;
      if (restart === "graceful") this.#add(HeaderF64.gracefulRestarts, 1);
      if (restart === "hard") this.#add(HeaderF64.hardRestarts, 1);
    });
  }

  /** A reload or restart failed: the generation serving carries on. */
  restartFailed(now: number): void {
    this.#writeHeader(() => {
      this.#add(HeaderF64.failedRestarts, 1);
      this.#view.f64[HeaderF64.failedRestartTime] = now;
    });
  }

  /** The spawn rate the maintenance pass would use next. */
  setSpawnRate(rate: number): void {
    if (this.#view.i32[Header.spawnRate] === rate) return;
    this.#writeHeader(() => {
      this.#view.i32[Header.spawnRate] = rate;
    });
  }

  /** A child was forked (`"started"`), or exited without being asked to (`"failed"`). */
  countChild(event: "started" | "failed"): void {
    this.#writeHeader(() =>
      this.#add(event === "started" ? HeaderF64.childrenStarted : HeaderF64.childrenFailed, 1),
    );
  }

  /**
   * Readies a free slot for a child about to be forked, with `workers` worker slots starting; with
   * `drone`, for a drone of the service whose record is `drone.service` (a slot from droneBase on).
   */
  prepareSlot(
    slot: number,
    generation: number,
    workers: number,
    now: number,
    drone?: { readonly service: number },
  ): void {
    const { i32, f64 } = this.#view;
    const base = this.#view.processBase(slot);
    this.#checkRole(slot, drone);
    // Raised before the slot is used, so a scan that stops at the bound never misses a child.
    if (slot >= Atomics.load(i32, Header.slotBound)) Atomics.store(i32, Header.slotBound, slot + 1);
    resetSequence(i32, base + Proc.seq);
    beginWrite(i32, base + Proc.seq);
    i32[base + Proc.pid] = 0;
    i32[base + Proc.generation] = generation;
    i32[base + Proc.quiescing] = 0;
    i32[base + Proc.state] = ProcessState.Starting;
    i32[base + Proc.workers] = workers;
    this.#clearProcess(base);
    i32[base + Proc.role] = drone ? ProcessRole.drone : ProcessRole.child;
    i32[base + Proc.service] = drone ? drone.service : 0;
    f64[base / 2 + ProcF64.startTime] = now;
    f64[base / 2 + ProcF64.heartbeat] = now;
    endWrite(i32, base + Proc.seq);
    for (let worker = 0; worker < this.#view.workerLimit; worker++) {
      this.#resetWorker(slot, worker, worker < workers ? WorkerState.Starting : WorkerState.Dead);
    }
  }

  /**
   * Asks the child in `slot` for its JavaScript stack; returns the request's number, which the child's
   * watchdog thread stores in the reply word once it has logged the stack (StackWords.answered).
   */
  requestStack(slot: number): number {
    const index = this.#view.processBase(slot) + Proc.stackRequest;
    // Int32 arithmetic, as the word wraps: the child compares numbers for equality only.
    return (Atomics.add(this.#view.i32, index, 1) + 1) | 0;
  }

  /**
   * Frees the slot of a child that has exited (and been reaped), folding its counters into the
   * header's retired totals so that the server's totals do not drop when a child is recycled. A
   * drone's are not folded in: the totals are the listener pool's, and a service's calls are counted
   * in its service record.
   */
  reclaimSlot(slot: number): void {
    const { i32, f64 } = this.#view;
    const base = this.#view.processBase(slot);
    // Written by the master alone, in prepareSlot: what it reads here is what it wrote.
    const child = i32[base + Proc.role] !== ProcessRole.drone;
    resetSequence(i32, base + Proc.seq);
    // One header write spans the whole move, so that a snapshot taken meanwhile (which checks the
    // header's counter) sees the child's counts either in its slot or in the totals, never both or none.
    this.#writeHeader(() => {
      let requests = 0;
      let bytes = 0;
      for (let worker = 0; worker < this.#view.workerLimit; worker++) {
        const w = this.#view.workerOffset(slot, worker) / 8;
        requests += f64[w + WorkF64.requests] ?? 0;
        bytes += f64[w + WorkF64.bytes] ?? 0;
        this.#resetWorker(slot, worker, WorkerState.Dead);
      }
      if (child) {
        this.#add(HeaderF64.retiredRequests, requests);
        this.#add(HeaderF64.retiredBytes, bytes);
        this.#add(HeaderF64.retiredConnections, f64[base / 2 + ProcF64.connections] ?? 0);
      }
      beginWrite(i32, base + Proc.seq);
      i32[base + Proc.pid] = 0;
      i32[base + Proc.quiescing] = 0;
      i32[base + Proc.state] = ProcessState.Free;
      i32[base + Proc.role] = ProcessRole.child;
      i32[base + Proc.service] = 0;
      this.#clearProcess(base);
      endWrite(i32, base + Proc.seq);
    });
    this.#lowerSlotBound();
  }

  /** Publishes what the master knows of the service whose record is `index` (0 to serviceLimit - 1). */
  writeService(index: number, fields: ServiceFields): void {
    writeServiceRecord(this.#view, index, fields);
  }

  /** Empties the service record `index` (its service is gone). */
  clearService(index: number): void {
    clearServiceRecord(this.#view, index);
  }

  // Children take the slots below droneBase, drones the rest, so that each kind is found where readers
  // look for it (a child's peers scan only the children's slots).
  #checkRole(slot: number, drone: { readonly service: number } | undefined): void {
    const { droneBase, serviceLimit } = this.#view;
    if (drone === undefined && slot >= droneBase) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `slot ${slot} is a drone slot (drones begin at ${droneBase}): give a child a slot below droneBase, or say which service the drone is of.`,
      );
    }
    if (drone === undefined) return;
    if (slot < droneBase) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `slot ${slot} is a child slot (drones begin at ${droneBase}): give a drone a slot from droneBase on; create the scoreboard with droneBase set to the listener pool's serverLimit.`,
      );
    }
    if (!Number.isInteger(drone.service) || drone.service < 0 || drone.service >= serviceLimit) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `service record ${drone.service} does not exist: this scoreboard has ${serviceLimit} service records (serviceLimit).`,
      );
    }
  }

  // Lowered after a slot is freed: to one more than the highest slot still in use. Only the master
  // frees slots, and children never write Free, so what it reads here stays true until it acts again.
  #lowerSlotBound(): void {
    const { i32 } = this.#view;
    let bound = Math.min(Atomics.load(i32, Header.slotBound), this.#view.serverLimit);
    while (
      bound > 0 &&
      Atomics.load(i32, this.#view.processBase(bound - 1) + Proc.state) === ProcessState.Free
    )
      bound--;
    Atomics.store(i32, Header.slotBound, bound);
  }

  // Zeroes what a child writes in its process record: the single words (and the stack request with its
  // reply, so a new child starts with nothing asked) and every Float64 field.
  #clearProcess(base: number): void {
    const { i32, f64 } = this.#view;
    i32[base + Proc.open] = 0;
    i32[base + Proc.slowLane] = 0;
    Atomics.store(i32, base + Proc.stackRequest, 0);
    Atomics.store(i32, base + Proc.stackReply, 0);
    f64.fill(0, base / 2 + ProcF64.startTime, base / 2 + ProcF64.slowLaneRequests + 1);
    f64[base / 2 + ProcF64.slowLaneShed] = 0;
    f64[base / 2 + ProcF64.evicted] = 0;
  }

  #resetWorker(slot: number, worker: number, state: WorkerState): void {
    const { i32, f64 } = this.#view;
    const offset = this.#view.workerOffset(slot, worker);
    const base = offset / 4;
    resetSequence(i32, base + Work.seq);
    beginWrite(i32, base + Work.seq);
    i32[base + Work.state] = state;
    i32[base + Work.requestLength] = 0;
    f64.fill(0, base / 2 + WorkF64.requests, base / 2 + WorkF64.lastUsed + 1);
    endWrite(i32, base + Work.seq);
  }

  #add(index: number, amount: number): void {
    this.#view.f64[index] = (this.#view.f64[index] ?? 0) + amount;
  }

  #writeHeader(write: () => void): void {
    beginWrite(this.#view.i32, Header.seq);
    write();
    endWrite(this.#view.i32, Header.seq);
  }
}
