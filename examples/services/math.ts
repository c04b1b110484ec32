// A service for drover's dispatch pool: the master runs this module in drones (processes of its own)
// and hands each call to an idle one. `add` is quick, `fib` holds a CPU for a while (the kind of work
// that would stall an HTTP child's event loop), and `tally` keeps a running total in a session, on the
// one drone the session is pinned to. Callers are typed from this module:
// `client.service<typeof import("./math.ts").default>("math")`.
import { defineService } from "../../src/index.ts";

/** The largest `n` fib takes: fib(38) is under a second of CPU on a quiet core. */
export const MAX_FIB = 38;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** A bad argument, with a `code` the caller reads from the error's `remote.code`. */
function badInput(message: string): Error {
  return Object.assign(new RangeError(message), { code: "MATH_BAD_INPUT" });
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export default defineService({
  methods: {
    add: ({ a, b }: { a: number; b: number }) => {
      if (!isNumber(a) || !isNumber(b)) throw badInput("add takes { a, b }, two finite numbers");
      return a + b;
    },

    /** The n-th Fibonacci number, the slow way, and which drone worked it out. */
    fib: ({ n }: { n: number }) => {
      if (!Number.isInteger(n) || n < 0 || n > MAX_FIB) {
        throw badInput(`fib takes { n }, a whole number from 0 to ${MAX_FIB}`);
      }
      return { n, value: fib(n), drone: process.pid };
    },

    /** Adds `add` to the session's total and returns it: the total lives on the session's drone. */
    tally: ({ add }: { add: number }, ctx) => {
      const store = ctx.session?.store;
      if (!store) throw badInput("tally runs in a session: call it through service.session()");
      if (!isNumber(add)) throw badInput("tally takes { add }, a finite number");
      const total = ((store.get("total") as number | undefined) ?? 0) + add;
      store.set("total", total);
      return { total, drone: process.pid };
    },
  },

  // Safe to run twice: a call of these whose drone dies is run once more on another drone.
  idempotent: ["add", "fib"],

  // Runs in each drone before its first call (open pools, warm caches here); its log lines name the drone.
  childInit: ({ service, log }) => {
    log.info(`math example: a drone of "${service}" is ready`);
  },
});
