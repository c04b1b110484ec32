// How a child tells the master why it exited, as Apache's children do with APEXIT_CHILDFATAL and
// APEXIT_CHILDSICK. Apps may use them too: exit with CHILD_SICK when short of a resource.

/** A normal exit: recycled, drained or told to stop. */
export const EXIT_OK = 0;
/** The child could not initialise (the app failed to load, or childInit threw): forking more won't help. */
export const EXIT_CHILD_FATAL = 15;
/** The child is short of a resource (descriptors, memory): slow the spawn rate down to one. */
export const EXIT_CHILD_SICK = 7;
/**
 * The child caught an uncaught exception or an unhandled rejection: it logged it, finished its other
 * requests and exited. It counts as failed; the master replaces it.
 */
export const EXIT_CHILD_CRASHED = 70;
