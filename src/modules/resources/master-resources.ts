// The master's side of module resources: it creates each generation's shared memory and locks before
// any child of that generation exists, keeps those a new generation declares again, drops those it
// does not once it is in charge, marks the locks of a child that died holding them, and lets every
// one go when it stops. Each is a sealed memfd: children get its descriptor at spawn, so none can
// resize it, and nothing is left in the file system whatever way the master ends.
import { DroverError, ErrorCode } from "../../errors.ts";
import { createShm, type ShmSegment } from "../../shm/index.ts";
import { abandonLock, GlobalLock, LOCK_BYTES } from "./global-lock.ts";
import type { CreatedMemory, ResourceCreators } from "./module-memory.ts";
import {
  checkResourceName,
  kindLabel,
  RESOURCE_LAYOUT,
  type ResourceKind,
  type ResourceSpec,
  resourceKey,
  resourceSegmentName,
} from "./resource-spec.ts";

interface LiveResource {
  readonly spec: ResourceSpec;
  readonly segment: ShmSegment;
}

/** The resources one generation's postConfig hooks declared. */
export class GenerationResources {
  readonly #owner: MasterResources;
  readonly declared = new Map<string, ResourceSpec>();
  /** Keys of resources this generation made first (none of an earlier generation had them). */
  readonly created = new Set<string>();

  constructor(owner: MasterResources) {
    this.#owner = owner;
  }

  /** The creators the hooks of `module` see in postConfig. */
  forModule(module: string): ResourceCreators {
    return {
      shm: { create: (name, size) => this.#owner.memory(this, module, name, size) },
      locks: { create: (name) => this.#owner.lock(this, module, name) },
    };
  }

  /** What the children of this generation are told. */
  specs(): ResourceSpec[] {
    return [...this.declared.values()];
  }

  /** The master's descriptors of specs(), in the same order: what a child of this generation inherits. */
  descriptors(): number[] {
    return this.#owner.descriptorsOf(this.specs());
  }
}

export interface MasterResourcesOptions {
  /** Names this master's segments apart from another's (see runFiles). */
  readonly runId: string;
}

export class MasterResources {
  readonly #options: MasterResourcesOptions;
  readonly #live = new Map<string, LiveResource>();

  constructor(options: MasterResourcesOptions) {
    this.#options = options;
  }

  generation(): GenerationResources {
    return new GenerationResources(this);
  }

  memory(generation: GenerationResources, module: string, name: string, size: number): CreatedMemory {
    const { spec, segment, created } = this.#declare(generation, "memory", module, name, size);
    return Object.freeze({ module, name: spec.name, size, buffer: segment.buffer, created });
  }

  lock(generation: GenerationResources, module: string, name: string): GlobalLock {
    const { segment } = this.#declare(generation, "lock", module, name, LOCK_BYTES);
    return new GlobalLock(module, name, segment.buffer);
  }

  /** `generation` is in charge: what it did not declare again goes (old children keep their mappings). */
  commit(generation: GenerationResources): void {
    for (const [key, live] of this.#live) if (!generation.declared.has(key)) this.#remove(key, live);
  }

  /** `generation` will never run: what it made first goes. */
  rollback(generation: GenerationResources): void {
    for (const key of generation.created) {
      const live = this.#live.get(key);
      if (live) this.#remove(key, live);
    }
  }

  /** Marks abandoned every lock the exited process `pid` held; returns those locks. */
  abandonLocksOf(pid: number): ResourceSpec[] {
    const abandoned: ResourceSpec[] = [];
    for (const { spec, segment } of this.#live.values()) {
      if (spec.kind === "lock" && abandonLock(segment.buffer, pid)) abandoned.push(spec);
    }
    return abandoned;
  }

  /**
   * The master's descriptor of each of `specs` (from specs() of a generation whose resources are
   * live), in order: the spawner passes them to the child, which finds them in the same order.
   */
  descriptorsOf(specs: readonly ResourceSpec[]): number[] {
    return specs.map((spec) => {
      const live = this.#live.get(resourceKey(spec.kind, spec.module, spec.name));
      if (live === undefined) {
        throw new DroverError(
          ErrorCode.MODULE_RESOURCE,
          `module "${spec.module}"'s ${kindLabel(spec.kind)} "${spec.name}" was let go: only a generation in charge (or starting) can hand its resources to a child.`,
        );
      }
      return live.segment.fd;
    });
  }

  /** Lets every resource go (children that still map one keep it until they exit). */
  close(): void {
    for (const [key, live] of this.#live) this.#remove(key, live);
  }

  #declare(
    generation: GenerationResources,
    kind: ResourceKind,
    module: string,
    name: unknown,
    size: unknown,
  ): LiveResource & { created: boolean } {
    const checked = checkResourceName(module, kind, name);
    const what = `module "${module}"'s ${kindLabel(kind)} "${checked}"`;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1) {
      throw new DroverError(
        ErrorCode.MODULE_RESOURCE,
        `${what} needs a size in bytes, a whole number of at least 1; got ${String(size)}.`,
      );
    }
    const key = resourceKey(kind, module, checked);
    if (generation.declared.has(key)) {
      throw new DroverError(
        ErrorCode.MODULE_RESOURCE,
        `${what} is created twice: create it once, in postConfig.`,
      );
    }
    const found = this.#live.get(key);
    if (found && found.spec.size !== size) {
      throw new DroverError(
        ErrorCode.MODULE_RESOURCE,
        `${what} has ${found.spec.size} bytes and the running children use it: its size cannot change while drover runs; stop and start drover, or give it a new name.`,
      );
    }
    const live = found ?? this.#create(kind, module, checked, size);
    if (!found) generation.created.add(key);
    generation.declared.set(key, live.spec);
    return { ...live, created: !found };
  }

  #create(kind: ResourceKind, module: string, name: string, size: number): LiveResource {
    const segmentName = resourceSegmentName(this.#options.runId, kind, module, name);
    const segment = createShm(segmentName, size, RESOURCE_LAYOUT[kind]);
    const live = { spec: Object.freeze({ kind, module, name, size }), segment };
    this.#live.set(resourceKey(kind, module, name), live);
    return live;
  }

  #remove(key: string, live: LiveResource): void {
    this.#live.delete(key);
    live.segment.close();
  }
}
