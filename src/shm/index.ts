// Shared memory between processes: sealed memfds mapped into an ArrayBuffer by drover's N-API addon.
export type { ShmLayout } from "./layout.ts";
export { findShmOf, memfdLink } from "./path.ts";
export { createShm, type MapShmOptions, mapShm, openShm, type ShmSegment } from "./segment.ts";
export { MAX_SHM_NAME, MAX_SHM_SIZE } from "./validate.ts";
