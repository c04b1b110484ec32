// Imported second by the child's entry, so that it runs before the rest of the child: keeps one of
// Node's own tick objects alive for the child's life, so that V8 keeps process.nextTick fast.
//
// nextTick makes each tick an object literal with symbol keys, and V8 remembers how to define those keys
// for one hidden class only, held weakly. When that class dies (no tick is alive, as while a child that
// just loaded its app sits idle through the collections that shrink its heap), the next tick finds the
// slot empty and marks it megamorphic for good: from then on every tick, about six per HTTP request,
// goes through V8's runtime: some 40,000 instructions a request in a child, two thirds of what a bare
// server spends on the whole request (docs/benchmarks.md).
// A tick kept alive keeps its hidden classes, and the literal stays on its fast path.
//
// Within a tick, executionAsyncResource() is the tick itself. Asking for it has Node pass each native
// callback's resource to JavaScript from then on, a few tens of nanoseconds a callback; an async hook
// would cost far more, since enabling one slows every promise for the life of the process.
import { executionAsyncResource } from "node:async_hooks";

const kept: object[] = [];
process.nextTick(() => kept.push(executionAsyncResource()));
