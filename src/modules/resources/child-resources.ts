// The child's side of module resources: it maps, on first use, what the master made in postConfig,
// named in the child spec and passed as descriptors at spawn.
import { DroverError, ErrorCode } from "../../errors.ts";
import { mapShm, type ShmSegment } from "../../shm/index.ts";
import { GlobalLock } from "./global-lock.ts";
import type { ModuleMemory, ResourceAttachers } from "./module-memory.ts";
import {
  kindLabel,
  RESOURCE_LAYOUT,
  type ResourceKind,
  type ResourceSpec,
  resourceKey,
} from "./resource-spec.ts";

interface Inherited {
  readonly spec: ResourceSpec;
  readonly fd: number;
}

export class ChildResources {
  readonly #inherited = new Map<string, Inherited>();
  readonly #memories = new Map<string, ModuleMemory>();
  readonly #locks = new Map<string, GlobalLock>();

  /** `fds[i]` is this process's descriptor of `specs[i]`. */
  constructor(specs: readonly ResourceSpec[], fds: readonly number[]) {
    if (fds.length !== specs.length) {
      throw new DroverError(
        ErrorCode.MODULE_RESOURCE,
        `the child was given ${fds.length} descriptors for ${specs.length} module resources: the master must pass one per resource, in order.`,
      );
    }
    for (const [index, spec] of specs.entries()) {
      const fd = fds[index] as number;
      this.#inherited.set(resourceKey(spec.kind, spec.module, spec.name), { spec, fd });
    }
  }

  /** The attachers the hooks of `module` see in childInit. */
  forModule(module: string): ResourceAttachers {
    return {
      shm: {
        attach: (name, options) =>
          this.#attach(this.#memories, "memory", options?.module ?? module, name, module, (spec, segment) =>
            Object.freeze({ module: spec.module, name: spec.name, size: spec.size, buffer: segment.buffer }),
          ),
      },
      locks: {
        attach: (name, options) =>
          this.#attach(
            this.#locks,
            "lock",
            options?.module ?? module,
            name,
            module,
            (spec, segment) => new GlobalLock(spec.module, spec.name, segment.buffer),
          ),
      },
    };
  }

  #attach<T>(
    cache: Map<string, T>,
    kind: ResourceKind,
    owner: string,
    name: string,
    asker: string,
    make: (spec: ResourceSpec, segment: ShmSegment) => T,
  ): T {
    const key = resourceKey(kind, owner, name);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const inherited = this.#inherited.get(key);
    if (inherited === undefined) {
      const whose = owner === asker ? "its own" : `module "${owner}"'s`;
      throw new DroverError(
        ErrorCode.MODULE_RESOURCE,
        `module "${asker}" attached ${whose} ${kindLabel(kind)} "${name}", which no postConfig hook of this generation created: ` +
          `create it in "${owner}"'s postConfig with context.${kind === "memory" ? "shm" : "locks"}.create(), and list "${owner}" in the config's modules.`,
      );
    }
    // Mapped for the child's whole life: the process's exit unmaps it. The descriptor was opened by
    // the master, so mapping it needs no permission the child lost when it dropped privileges.
    const { spec, fd } = inherited;
    const made = make(spec, mapShm(fd, RESOURCE_LAYOUT[kind]));
    cache.set(key, made);
    return made;
  }
}
