// Every error drover raises carries one of these codes. Codes are stable: never rename or reuse one;
// add new ones at the end of their group. docs/errors.md documents each (a test keeps the two in step).
export const ErrorCode = {
  // The native addon
  NATIVE_MISSING: "DROVER_ERR_NATIVE_MISSING",

  // Shared memory
  SHM_BAD_SIZE: "DROVER_ERR_SHM_BAD_SIZE",
  SHM_BAD_PATH: "DROVER_ERR_SHM_BAD_PATH",
  SHM_NOT_FOUND: "DROVER_ERR_SHM_NOT_FOUND",
  SHM_PERMISSION: "DROVER_ERR_SHM_PERMISSION",
  SHM_NO_SPACE: "DROVER_ERR_SHM_NO_SPACE",
  SHM_FOREIGN: "DROVER_ERR_SHM_FOREIGN",
  SHM_LAYOUT_MISMATCH: "DROVER_ERR_SHM_LAYOUT_MISMATCH",
  SHM_CLOSED: "DROVER_ERR_SHM_CLOSED",
  SHM_SYSTEM: "DROVER_ERR_SHM_SYSTEM",
  SHM_BAD_ARGUMENT: "DROVER_ERR_SHM_BAD_ARGUMENT",
  SHM_UNSEALED: "DROVER_ERR_SHM_UNSEALED",

  // The scoreboard
  SCOREBOARD_BAD_LIMITS: "DROVER_ERR_SCOREBOARD_BAD_LIMITS",
  SCOREBOARD_BAD_SLOT: "DROVER_ERR_SCOREBOARD_BAD_SLOT",
  SCOREBOARD_NOT_OWNER: "DROVER_ERR_SCOREBOARD_NOT_OWNER",

  // Modules and hooks
  MODULE_INVALID: "DROVER_ERR_MODULE_INVALID",
  MODULE_ORDER: "DROVER_ERR_MODULE_ORDER",
  HOOK_FAILED: "DROVER_ERR_HOOK_FAILED",
  MODULE_RESOURCE: "DROVER_ERR_MODULE_RESOURCE",
  LOCK_NOT_HELD: "DROVER_ERR_LOCK_NOT_HELD",
  LOCK_TIMEOUT: "DROVER_ERR_LOCK_TIMEOUT",
  HOOK_TIMEOUT: "DROVER_ERR_HOOK_TIMEOUT",
  LOCK_BAD_ARGUMENT: "DROVER_ERR_LOCK_BAD_ARGUMENT",

  // Configuration
  CONFIG_INVALID: "DROVER_ERR_CONFIG_INVALID",
  CONFIG_LOAD: "DROVER_ERR_CONFIG_LOAD",
  /** The config or the app is ES module code read as CommonJS, or the other way round. */
  MODULE_TYPE: "DROVER_ERR_MODULE_TYPE",
  /** `drover init`: the project's package.json cannot be read, or is no JSON object. */
  PACKAGE_JSON_INVALID: "DROVER_ERR_PACKAGE_JSON_INVALID",

  // Listening sockets
  LISTEN_IN_USE: "DROVER_ERR_LISTEN_IN_USE",
  LISTEN_PERMISSION: "DROVER_ERR_LISTEN_PERMISSION",
  LISTEN_FAILED: "DROVER_ERR_LISTEN_FAILED",
  LISTEN_ACTIVATION: "DROVER_ERR_LISTEN_ACTIVATION",

  // The master
  ALREADY_RUNNING: "DROVER_ERR_ALREADY_RUNNING",
  CHILD_FATAL: "DROVER_ERR_CHILD_FATAL",
  RELOAD_FAILED: "DROVER_ERR_RELOAD_FAILED",
  /** `drover upgrade`: the new master did not serve; the old one serves on. */
  UPGRADE_FAILED: "DROVER_ERR_UPGRADE_FAILED",
  NOT_RUNNING: "DROVER_ERR_NOT_RUNNING",
  CONTROL_BAD_REQUEST: "DROVER_ERR_CONTROL_BAD_REQUEST",
  STOPPING: "DROVER_ERR_STOPPING",
  PID_FILE: "DROVER_ERR_PID_FILE",
  RUN_DIR: "DROVER_ERR_RUN_DIR",
  CONTROL_PERMISSION: "DROVER_ERR_CONTROL_PERMISSION",
  CONTROL_BUSY: "DROVER_ERR_CONTROL_BUSY",
  CONTROL_BAD_REPLY: "DROVER_ERR_CONTROL_BAD_REPLY",
  CONTROL_TIMEOUT: "DROVER_ERR_CONTROL_TIMEOUT",
  /** A fault of drover's own, reported rather than thrown at the caller. */
  INTERNAL: "DROVER_ERR_INTERNAL",
  /** `drover start --watch` cannot watch the config's folder. */
  WATCH_FAILED: "DROVER_ERR_WATCH_FAILED",

  // The app's calls into drover
  ROUTE_NAME_INVALID: "DROVER_ERR_ROUTE_NAME_INVALID",

  // The dispatch pool: what a call to a service can end with
  DISPATCH_BACKLOG_FULL: "DROVER_ERR_DISPATCH_BACKLOG_FULL",
  DRONE_EXITED: "DROVER_ERR_DRONE_EXITED",
  DISPATCH_TIMEOUT: "DROVER_ERR_DISPATCH_TIMEOUT",
  METHOD_FAILED: "DROVER_ERR_METHOD_FAILED",
  NO_SUCH_METHOD: "DROVER_ERR_NO_SUCH_METHOD",
  NO_SUCH_SERVICE: "DROVER_ERR_NO_SUCH_SERVICE",
  SESSION_EXPIRED: "DROVER_ERR_SESSION_EXPIRED",
  DISPATCH_CANCELLED: "DROVER_ERR_DISPATCH_CANCELLED",
  MESSAGE_TOO_LARGE: "DROVER_ERR_MESSAGE_TOO_LARGE",
  DISPATCH_BAD_MESSAGE: "DROVER_ERR_DISPATCH_BAD_MESSAGE",
  POISON_MESSAGE: "DROVER_ERR_POISON_MESSAGE",
  DISPATCH_CONNECTION: "DROVER_ERR_DISPATCH_CONNECTION",
  NO_RESPONDERS: "DROVER_ERR_NO_RESPONDERS",
  NATS_UNAVAILABLE: "DROVER_ERR_NATS_UNAVAILABLE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const brand = Symbol.for("drover.error");

/** An error raised by drover: `code` is stable, `message` says what happened and what to do. */
export class DroverError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, "name", { value: "DroverError", enumerable: false });
    Object.defineProperty(this, brand, { value: true, enumerable: false });
  }

  // Works across copies of the package (two versions in one tree), unlike a plain prototype check.
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** True when `error` is a DroverError, optionally with the given code. */
export function isDroverError(error: unknown, code?: ErrorCode): error is DroverError {
  return error instanceof DroverError && (code === undefined || error.code === code);
}
