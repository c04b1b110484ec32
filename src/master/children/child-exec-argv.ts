// The Node options every child and drone starts with: drover's own, then the config's nodeArgs. None of
// drover's opens an inspector port: a hung child's stack is read by its own watchdog thread
// (child/stack-watchdog/stack-watchdog.ts). --disable-sigusr1 (Node 22.14+, 23.7+) keeps a stray
// SIGUSR1 from opening 127.0.0.1:9229; children on older Nodes rely on their no-op SIGUSR1 handler
// (child/ignore-sigusr1.ts). nodeArgs were checked with the config (config/node-args.ts).
export function childExecArgv(nodeArgs: readonly string[] = []): string[] {
  const own = process.allowedNodeEnvironmentFlags.has("--disable-sigusr1") ? ["--disable-sigusr1"] : [];
  return [...own, ...nodeArgs];
}
