// A child never outlives its master: when the IPC channel closes (the master exited, even by SIGKILL)
// the child drains for a moment and exits. The parent pid is checked too, in case the channel was
// closed some other way.

const PARENT_CHECK_MS = 250;

export function guardAgainstOrphaning(onOrphaned: () => void): void {
  const parent = process.ppid;
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    clearInterval(timer);
    onOrphaned();
  };
  process.once("disconnect", fire);
  const timer = setInterval(() => {
    if (process.ppid !== parent) fire();
  }, PARENT_CHECK_MS);
  timer.unref();
}
