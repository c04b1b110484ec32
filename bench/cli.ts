// What every bench script does first: read its options (or print the help, or the usage error and
// exit 2), and turn Ctrl-C or a TERM into an abort that stops the current run and cleans up.

export function optionsOrExit<T extends { readonly help?: boolean }>(
  parse: (argv: string[]) => T,
  help: string,
): T {
  let options: T;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(help);
    process.exit(0);
  }
  return options;
}

/** Aborted by the first SIGINT or SIGTERM. */
export function abortOnSignals(): AbortController {
  const abort = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the current run and cleaning up...`);
      abort.abort(new Error(`interrupted by ${signal}`));
    });
  }
  return abort;
}
