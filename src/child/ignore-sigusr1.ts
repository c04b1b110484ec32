// Imported first by the child's entry, before any other module runs: without a handler, SIGUSR1 makes
// Node open its inspector on 127.0.0.1:9229, where any local user can run code as the child (an
// Apache habit, `kill -USR1 -<pgid>`, would do it to every child). The master also passes
// --disable-sigusr1 where Node has it (child-exec-argv.ts); this covers the Nodes that lack it. A hung
// child's stack is read without any port (stack-watchdog.ts).
process.on("SIGUSR1", () => {});
