// What a caller of a global lock passes and gets back, checked, and the errors it may see.
import { DroverError, ErrorCode } from "../../errors.ts";

/** What taking the lock found: "recovered" when the previous holder died holding it. */
export type LockResult = "acquired" | "recovered";

export interface LockOptions {
  /** Give up after this long, rejecting with DROVER_ERR_LOCK_TIMEOUT. Default: wait as long as it takes. */
  readonly timeoutMs?: number;
  /** Give up when aborted, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Which lock an error is about: its module and name. */
export interface LockName {
  readonly module: string;
  readonly name: string;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The options, checked; a timeout past what a timer can count (24.8 days) is as good as none. */
export function checkLockOptions(lock: LockName, options: LockOptions | undefined): LockOptions {
  const { timeoutMs, signal } = options ?? {};
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs >= 0)) {
    throw new DroverError(
      ErrorCode.LOCK_BAD_ARGUMENT,
      `module "${lock.module}" asked for its lock "${lock.name}" with timeoutMs ${describe(timeoutMs)}: give a number of milliseconds, 0 or more, or leave it out to wait as long as it takes.`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new DroverError(
      ErrorCode.LOCK_BAD_ARGUMENT,
      `module "${lock.module}" asked for its lock "${lock.name}" with a signal that is ${describe(signal)}: give an AbortSignal (an AbortController's, or AbortSignal.timeout()).`,
    );
  }
  return { timeoutMs: timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS ? timeoutMs : undefined, signal };
}

export function badMemory(lock: LockName, memory: unknown, minimum: number): DroverError {
  return new DroverError(
    ErrorCode.LOCK_BAD_ARGUMENT,
    `module "${lock.module}"'s lock "${lock.name}" needs an ArrayBuffer of shared memory of at least ${minimum} bytes (drover makes LOCK_BYTES); got ${describe(memory)}.`,
  );
}

export function notHeld(lock: LockName): DroverError {
  return new DroverError(
    ErrorCode.LOCK_NOT_HELD,
    `module "${lock.module}" unlocked its lock "${lock.name}", which this lock object (pid ${process.pid}) does not hold: unlock only after lock() or tryLock() succeeded, once, and from the same thread.`,
  );
}

export function takenOver(lock: LockName): DroverError {
  return new DroverError(
    ErrorCode.LOCK_NOT_HELD,
    `module "${lock.module}"'s lock "${lock.name}" was taken over while this process held it (another process judged it dead): what the lock protects may have changed meanwhile.`,
  );
}

export function timedOut(lock: LockName, holder: number | undefined): DroverError {
  return new DroverError(
    ErrorCode.LOCK_TIMEOUT,
    `module "${lock.module}" waited too long for its lock "${lock.name}"${holder === undefined ? "" : `, held by pid ${holder}`}: raise the timeout, or find why the holder keeps it.`,
  );
}

function describe(value: unknown): string {
  if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
  return typeof value === "object" && value !== null ? "an object" : String(value);
}
