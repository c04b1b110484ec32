// How a module's shared memory and locks are named: by module and name in the API and in the master,
// which keeps each one across generations (that is what lets old and new children share it). The
// segment's own name, shown in /proc/<pid>/fd, is for the operator.
import { DroverError, ErrorCode } from "../../errors.ts";
import { MAX_SHM_NAME, type ShmLayout } from "../../shm/index.ts";

export type ResourceKind = "memory" | "lock";

/** A resource as the master tells children of it (in the child spec; its descriptor comes beside). */
export interface ResourceSpec {
  readonly kind: ResourceKind;
  readonly module: string;
  readonly name: string;
  /** Bytes of payload. */
  readonly size: number;
}

/** The layout tags of the files ("MODM" and "LOCK"). */
export const RESOURCE_LAYOUT: Readonly<Record<ResourceKind, ShmLayout>> = Object.freeze({
  memory: { tag: 0x4d4f444d, version: 1 },
  lock: { tag: 0x4c4f434b, version: 2 }, // 2: the ticket lock
});

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The segment name of a resource, `drover-<runId>-<module>-<name>` (with `.lock` for a lock); `runId`
 * identifies the master (see runFiles). Names need not be unique, so a very long one is cut short.
 */
export function resourceSegmentName(runId: string, kind: ResourceKind, module: string, name: string): string {
  return `drover-${runId}-${module}-${name}${kind === "lock" ? ".lock" : ""}`.slice(0, MAX_SHM_NAME);
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
