// Damaging a scoreboard the way an operator with write access can (`dd conv=notrunc` in the chaos
// review): bytes written into the file through a handle of its own, not through drover's mapping.
import { closeSync, openSync, writeSync } from "node:fs";
import {
  Proc,
  processRecordOffset,
  WORKER_RECORD_BYTES,
  Work,
  WorkF64,
  workerRecordOffset,
} from "../../src/scoreboard/layout.ts";
import { native } from "../../src/shm/native.ts";

export { processRecordOffset, workerRecordOffset };

/** A field to overwrite: its byte offset in the record, the value, and how it is stored. */
export type Field = readonly [byteOffset: number, value: number, type: "i32" | "f64"];

/** Writes `bytes` at `offset` of the scoreboard (past the file's own header), as dd would. */
export function overwrite(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, native().HEADER_SIZE + offset);
  } finally {
    closeSync(fd);
  }
}

/** Writes chosen values over fields of the record at `recordOffset` (little-endian, as the board is). */
export function overwriteFields(path: string, recordOffset: number, fields: readonly Field[]): void {
  for (const [at, value, type] of fields) {
    const bytes = new Uint8Array(type === "i32" ? 4 : 8);
    const view = new DataView(bytes.buffer);
    if (type === "i32") view.setInt32(0, value, true);
    else view.setFloat64(0, value, true);
    overwrite(path, recordOffset + at, bytes);
  }
}

/** A record's worth of one repeated byte: 0xa5 makes every Int32 negative and odd, every f64 < 0. */
export function garbage(bytes = WORKER_RECORD_BYTES, fill = 0xa5): Uint8Array {
  return new Uint8Array(bytes).fill(fill);
}

/** The values the chaos review saw printed: requests, bytes and a pid, read from overwritten memory. */
export const SEEN = { requests: 3.368053078497718e297, bytes: -1.4305007136391906e297, pid: -1907494791 };

/**
 * Damages a live scoreboard as the chaos review did, in the records a running pool leaves alone:
 * worker `worker` of child slot `slot` reads SEEN's requests and bytes, and the free slot `freeSlot`
 * reads as a child with SEEN's pid in a state that does not exist.
 */
export function damageAsSeen(
  path: string,
  limits: { serverLimit: number; workerLimit: number },
  place: { slot: number; worker: number; freeSlot: number },
): void {
  overwriteFields(path, workerRecordOffset(limits, place.slot, place.worker), [
    [Work.state * 4, 4, "i32"],
    [WorkF64.requests * 8, SEEN.requests, "f64"],
    [WorkF64.bytes * 8, SEEN.bytes, "f64"],
  ]);
  overwriteFields(path, processRecordOffset(place.freeSlot), [
    [Proc.pid * 4, SEEN.pid, "i32"],
    [Proc.state * 4, 7, "i32"],
  ]);
}
