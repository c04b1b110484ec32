// How a module's shared memory and locks are named: by module and name in the API, by a file in
// /dev/shm that the master's run directory, the module and the name alone decide. The same config
// thus finds the same file in every generation, which is what lets old and new children share it.
import { createHash } from "node:crypto";
import { DroverError, ErrorCode } from "../../errors.ts";
import type { ShmLayout } from "../../shm/index.ts";
import { shmPath } from "../../shm/index.ts";

export type ResourceKind = "memory" | "lock";

/** A resource as the master tells children of it (in the child spec). */
export interface ResourceSpec {
  readonly kind: ResourceKind;
  readonly module: string;
  readonly name: string;
  readonly path: string;
  /** Bytes of payload. */
  readonly size: number;
}

/** The layout tags of the files ("MODM" and "LOCK"). */
export const RESOURCE_LAYOUT: Readonly<Record<ResourceKind, ShmLayout>> = Object.freeze({
  memory: { tag: 0x4d4f444d, version: 1 },
  lock: { tag: 0x4c4f434b, version: 2 }, // 2: the ticket lock
});

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The file of a resource; `runId` identifies the master (see runFiles). */
export function resourcePath(runId: string, kind: ResourceKind, module: string, name: string): string {
  // The hash keeps "a-" + "b" apart from "a" + "-b"; the readable part is for the operator.
  const hash = createHash("sha256").update(`${kind}\0${module}\0${name}`).digest("hex").slice(0, 8);
  return shmPath(`drover-${runId}-${module}-${name}-${hash}.${kind === "memory" ? "shm" : "lock"}`);
}

/** Throws DROVER_ERR_MODULE_RESOURCE unless `name` is a usable resource name. */
export function checkResourceName(module: string, kind: ResourceKind, name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new DroverError(
      ErrorCode.MODULE_RESOURCE,
      `module "${module}" named a ${kindLabel(kind)} ${JSON.stringify(name) ?? String(name)}: use 1 to 64 letters, digits, "_", "." or "-".`,
    );
  }
  return name;
}

export function kindLabel(kind: ResourceKind): string {
  return kind === "memory" ? "shared memory" : "lock";
}

export function resourceKey(kind: ResourceKind, module: string, name: string): string {
  return `${kind}\0${module}\0${name}`;
}
