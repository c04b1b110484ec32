// Checks the Deployment of docs/operations.md ("### Kubernetes") as a Kubernetes API server would take
// it, for scripts/container/try.sh: against the API's schema (kubernetes-models), with no field the
// API does not have (kubernetes-types, through TypeScript's excess-property check: the schema lets
// unknown fields through), and with every probe's named port among the container's ports. Prints
// what the kubelet would do with it, one line each, for try.sh to act out:
//   probe <startupProbe|readinessProbe|livenessProbe> <path> <containerPort> <periodSeconds> <failureThreshold>
//   grace <terminationGracePeriodSeconds>
//
//   node scripts/container/check-manifest.ts docs/operations.md TOOLS
//
// TOOLS is a folder where `npm install kubernetes-models@5 kubernetes-types@1 yaml@2` ran (try.sh
// makes it): not the repository's dependencies, which a user's install would carry.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Port = { name?: string; containerPort?: number };
type Probe = {
  httpGet?: { path?: string; port?: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
};
type Container = { ports?: Port[] } & Partial<Record<(typeof PROBES)[number], Probe>>;
type Deployment = {
  spec?: { template?: { spec?: { terminationGracePeriodSeconds?: number; containers?: Container[] } } };
};

const PROBES = ["startupProbe", "readinessProbe", "livenessProbe"] as const;
const repo = resolve(import.meta.dirname, "..", "..");

function fail(message: string): never {
  console.error(`check-manifest: ${message}`);
  process.exit(1);
}

const [docPath, toolsArg] = process.argv.slice(2);
if (!docPath || !toolsArg) fail("usage: check-manifest.ts DOC.md TOOLS");
const tools = resolve(toolsArg);

const doc = readFileSync(docPath, "utf8");
const section = doc.slice(doc.indexOf("### Kubernetes"));
const yamlText = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
if (doc.indexOf("### Kubernetes") < 0 || !yamlText)
  fail(`no yaml block under "### Kubernetes" in ${docPath}`);

const yaml = createRequire(join(tools, "package.json"))("yaml") as { parse(text: string): unknown };
const manifest = yaml.parse(yamlText) as Deployment & { kind?: string };
if (manifest.kind !== "Deployment") fail(`the snippet is a ${manifest.kind}, not a Deployment`);

// The API's schema: types, required fields, formats.
const models = join(tools, "node_modules", "kubernetes-models", "apps", "v1", "Deployment.js");
const { Deployment } = (await import(pathToFileURL(models).href)) as {
  Deployment: new (data: unknown) => { validate(): void };
};
try {
  new Deployment(manifest).validate();
} catch (error) {
  fail(`not a valid apps/v1 Deployment: ${(error as Error).message}`);
}

// No unknown field: a typo (readinesProbe) is dropped by an API server without a word.
const typed = join(tools, "manifest-check.ts");
writeFileSync(
  typed,
  `import type { Deployment } from "kubernetes-types/apps/v1";\n` +
    `export const deployment: Deployment = ${JSON.stringify(manifest, null, 2)};\n`,
);
const tsc = spawnSync(
  process.execPath,
  [
    join(repo, "node_modules", "typescript", "bin", "tsc"),
    "--noEmit",
    "--strict",
    "--module",
    "preserve",
    "--moduleResolution",
    "bundler",
    typed,
  ],
  { cwd: tools, encoding: "utf8" },
);
if (tsc.status !== 0) fail(`fields the Kubernetes API does not have:\n${tsc.stdout}${tsc.stderr}`);

const pod = manifest.spec?.template?.spec;
const container = pod?.containers?.[0];
if (!pod || !container || pod.containers?.length !== 1) fail("expected one container in the pod");
const grace = pod.terminationGracePeriodSeconds;
if (grace === undefined) fail("no terminationGracePeriodSeconds: the default, 30 s, is below drover's stop");

for (const kind of PROBES) {
  const probe = container[kind];
  const get = probe?.httpGet;
  if (!probe || !get?.path || get.port === undefined) fail(`${kind} has no httpGet path and port`);
  const port =
    typeof get.port === "number"
      ? get.port
      : container.ports?.find((p) => p.name === get.port)?.containerPort;
  if (port === undefined) fail(`${kind} names port ${get.port}, which the container does not have`);
  // The kubelet's defaults: periodSeconds 10, failureThreshold 3.
  console.log(
    `probe ${kind} ${get.path} ${port} ${probe.periodSeconds ?? 10} ${probe.failureThreshold ?? 3}`,
  );
}
console.log(`grace ${grace}`);
