// Typed views over the scoreboard memory, shared by its writers and its reader.
import { DroverError, ErrorCode } from "../errors.ts";
import {
  Header,
  processRecordOffset,
  type ScoreboardShape,
  serviceRecordOffset,
  workerRecordOffset,
} from "./layout.ts";

export class ScoreboardView implements ScoreboardShape {
  i32: Int32Array;
  f64: Float64Array;
  u8: Uint8Array;
  /** Bumped by rebind(): writers that cached the arrays take the new ones. */
  epoch = 0;
  readonly serverLimit: number;
  readonly workerLimit: number;
  readonly droneBase: number;
  readonly serviceLimit: number;

  constructor(buffer: ArrayBuffer) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.serverLimit = Atomics.load(this.i32, Header.serverLimit);
    this.workerLimit = Atomics.load(this.i32, Header.workerLimit);
    this.droneBase = Atomics.load(this.i32, Header.droneBase);
    this.serviceLimit = Atomics.load(this.i32, Header.serviceLimit);
  }

  /** Points every view (and, through the epoch, every writer) at other memory of the same layout. */
  rebind(buffer: ArrayBuffer): void {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.epoch++;
  }

  /** Int32 index of the first field of a child slot's process record. */
  processBase(slot: number): number {
    this.checkSlot(slot);
    return processRecordOffset(slot) / 4;
  }

  /** Byte offset of a worker record. */
  workerOffset(slot: number, worker: number): number {
    this.checkSlot(slot);
    if (!Number.isInteger(worker) || worker < 0 || worker >= this.workerLimit) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `worker slot ${worker} does not exist: this scoreboard has ${this.workerLimit} worker slots per child (workerLimit).`,
      );
    }
    return workerRecordOffset(this, slot, worker);
  }

  /** Byte offset of a service record. */
  serviceOffset(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.serviceLimit) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `service record ${index} does not exist: this scoreboard has ${this.serviceLimit} service records (serviceLimit).`,
      );
    }
    return serviceRecordOffset(this, index);
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.serverLimit) {
      throw new DroverError(
        ErrorCode.SCOREBOARD_BAD_SLOT,
        `child slot ${slot} does not exist: this scoreboard has ${this.serverLimit} child slots (serverLimit).`,
      );
    }
  }
}
