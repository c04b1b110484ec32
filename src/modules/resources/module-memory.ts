// What a module's shared memory and locks look like to its hooks.
import type { GlobalLock } from "./global-lock.ts";

/** A named block of memory shared by the master and every child, old generations included. */
export interface ModuleMemory {
  /** The module that created it. */
  readonly module: string;
  readonly name: string;
  /** Bytes; zeroed when first created, kept across restarts until drover stops. */
  readonly size: number;
  /** The shared bytes. Make typed views over it; Atomics work on its Int32Array and BigInt64Array views. */
  readonly buffer: ArrayBuffer;
}

/** Shared memory as postConfig gets it. */
export interface CreatedMemory extends ModuleMemory {
  /**
   * True when this call made it (zeroed); false when an earlier generation did, and its children may
   * be using it now: initialise it only when true.
   */
  readonly created: boolean;
}

/** What postConfig hooks use to make the resources their children will share. */
export interface ResourceCreators {
  readonly shm: {
    /**
     * Creates the module's shared memory `name` of `size` bytes; on a restart, finds the one already
     * made, contents intact. Its size cannot change while drover runs.
     */
    create(name: string, size: number): CreatedMemory;
  };
  readonly locks: {
    /** Creates the module's global lock `name`; on a restart, finds the one already made. */
    create(name: string): GlobalLock;
  };
}

/** Whose resource to attach: the module's own by default, or another module's, by its name. */
export interface AttachOptions {
  readonly module?: string;
}

/** What childInit hooks use to reach the resources postConfig made. */
export interface ResourceAttachers {
  readonly shm: {
    /** The shared memory `name` made in postConfig (by this module, or by `options.module`). */
    attach(name: string, options?: AttachOptions): ModuleMemory;
  };
  readonly locks: {
    /** The global lock `name` made in postConfig (by this module, or by `options.module`). */
    attach(name: string, options?: AttachOptions): GlobalLock;
  };
}
