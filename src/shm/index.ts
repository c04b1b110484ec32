// Shared memory between processes: files mapped into an ArrayBuffer by drover's N-API addon.
export type { ShmLayout } from "./layout.ts";
export { SHM_DIR, shmPath } from "./path.ts";
export { type CreateShmOptions, createShm, openShm, removeShm, type ShmSegment } from "./segment.ts";
export { MAX_SHM_SIZE } from "./validate.ts";
