#!/bin/bash
# Tries examples/docker/Dockerfile and the Kubernetes Deployment of docs/operations.md for real, with
# podman, as a user's project would use them (issue 12). Not part of `npm test`: it needs root,
# podman and a few minutes. As root, from anywhere:
#
#   scripts/container/try.sh            # the base image is made once (base-image.sh); --base remakes it
#
# 1. a stand-in for node:24-bookworm-slim (base-image.sh), when there is none yet or with --base;
# 2. `npm pack` of this checkout, served on 127.0.0.1 as a registry would; a scratch project that
#    depends on it (package.json, package-lock.json, app.ts, drover.config.ts), built with the
#    Dockerfile and .dockerignore of examples/docker, unchanged;
# 3. the container: it serves on 8080, tini is PID 1, drover's master and children run as `node`,
#    /livez and /readyz answer on 9000, `podman healthcheck run` passes, and `podman stop` is
#    graceful: /readyz 503 at once, the listener still serving through shutdownDelay, a request in
#    flight completed, exit 0 within the timeout, nothing left;
# 4. the Kubernetes snippet: a valid Deployment (check-manifest.ts) whose probes, acted out as the
#    kubelet would on the container's published ports, answer as it expects, and whose
#    terminationGracePeriodSeconds the whole stop stays under.
# Logs stay in $DROVER_CONTAINER_DIR/try-last (default /var/tmp/drover-container/try-last).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
dir=${DROVER_CONTAINER_DIR:-/var/tmp/drover-container}
base=docker.io/library/node:24-bookworm-slim
image=localhost/drover-try:latest
name=drover-try-$$
logs=$dir/try-last
work=$dir/try-work
export PATH=$repo/node_modules/.bin:$PATH

[ "$(id -u)" = 0 ] || { echo "try: run me as root (rootful podman)" >&2; exit 1; }
# shellcheck source=host.sh
. "$repo/scripts/container/host.sh"

proved=()
say() { printf '\ntry: %s\n' "$*"; }
ok() { proved+=("$*"); printf 'try: ok: %s\n' "$*"; }
fail() { printf '\ntry: FAILED: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
# podman schedules HEALTHCHECKs through systemd timers: on a host without systemd it says so on every
# run, stop and rm of the container ("unable to get systemd connection"); `podman healthcheck run`
# works all the same.
quiet() { "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
# An HTTP GET as the kubelet makes one (its user agent, Accept, its 1 s timeoutSeconds): the status
# code, 000 for no answer.
probe() { curl -s -o /dev/null -w '%{http_code}' -A kube-probe/1.30 -H 'Accept: */*' -m 1 "http://$1$2" || true; }

dangling_before=$(podman images -q --filter dangling=true | tr '\n' ' ')
cleanup() {
  local status=$? pids
  # The tarball's server, and samplers or requests of a stop that failed half way.
  pids=$(jobs -p)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  if podman container exists "$name" 2>/dev/null; then
    podman logs "$name" >"$logs/container.log" 2>&1 || true
    podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    [ -z "$(podman ps -aq --filter "name=^$name\$")" ] || echo "try: could not remove $name" >&2
  fi
  # The build's stages, and the image this run's replaced, untagged now: not kept run after run.
  local image_id
  for image_id in $(podman images -q --filter dangling=true); do
    [[ " $dangling_before " == *" $image_id "* ]] || podman rmi "$image_id" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  [ "$status" = 0 ] || echo "try: logs in $logs" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$logs" "$work"
mkdir -p "$logs" "$work/serve" "$work/myapp"

# 1. The base image.
if [ "${1:-}" = --base ] || ! podman image exists "$base"; then
  say "1. the stand-in base image"
  "$repo/scripts/container/base-image.sh" 2>&1 | tee "$logs/base-image.log" | tail -2
fi
ok "1. $base: $(podman run --rm --pull=never "${podman_limits[@]}" "$base" sh -c \
  'echo "Node $(node --version), npm $(npm --version), $(id node)"')"

# 2. drover packed, as the suite packs it (test/package/install.test.ts), and served as a registry
# would: a copy without node_modules, build and dist, whose prepare script builds dist.
say "2. npm pack, the scratch project, podman build"
tar -C "$repo" --exclude=./node_modules --exclude=./build --exclude=./dist --exclude=./.git \
  --exclude=./.drover -cf - . | (mkdir "$work/drover" && tar -C "$work/drover" -xf -)
ln -s "$repo/node_modules" "$work/drover/node_modules"
(cd "$work/drover" && nice -n 10 npm pack --pack-destination "$work/serve") >"$logs/pack.log" 2>&1 ||
  fail "npm pack (see $logs/pack.log)"
tarball=$(cd "$work/serve" && ls drover-*.tgz)
node -e '
  const { createReadStream } = require("node:fs");
  const server = require("node:http").createServer((req, res) => {
    createReadStream(process.argv[1] + "/" + require("node:path").basename(req.url))
      .on("error", () => res.writeHead(404).end()).pipe(res);
  }).listen(0, "127.0.0.1", () => console.log(server.address().port));
' "$work/serve" >"$work/port" &
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
registry=http://127.0.0.1:$(cat "$work/port")

cd "$work/myapp"
cat >package.json <<EOF
{
  "name": "myapp",
  "version": "1.0.0",
  "private": true,
  "type": "module",
  "dependencies": { "drover": "$registry/$tarball" }
}
EOF
cat >app.ts <<'EOF'
// / answers at once; /slow after 2 s, saying on stdout when it began (a request in flight at a stop).
import type { IncomingMessage, ServerResponse } from "node:http";

export default function app(request: IncomingMessage, response: ServerResponse): void {
  const answer = () => response.end(`${request.url} from ${process.pid} as uid ${process.getuid?.()}\n`);
  if (request.url !== "/slow") return answer();
  console.log(`slow request began in ${process.pid}`);
  setTimeout(answer, 2000);
}
EOF
cat >drover.config.ts <<'EOF'
import { defineConfig } from "drover";

export default defineConfig({
  app: "./app.ts",
  listen: 8080,
  health: { listen: 9000 },
  shutdownDelay: "5s",
  startServers: 2,
});
EOF
nice -n 10 npm install --no-audit --no-fund >"$logs/npm-install.log" 2>&1 || fail "npm install (see $logs/npm-install.log)"
# What a developer's checkout has and the image must not: the host's node_modules, a run directory.
touch node_modules/.from-the-host
mkdir -p .drover && touch .drover/drover.pid
cp "$repo/examples/docker/Dockerfile" "$repo/examples/docker/.dockerignore" . || fail "no examples/docker to copy"

# --network host: the build's npm ci reaches the tarball on 127.0.0.1 (the rest from the registry).
# --format docker: OCI images have no HEALTHCHECK. --layers=false: no cache of each step kept.
nice -n 10 podman build --pull=never --network host --format docker --layers=false "${podman_limits[@]}" -t "$image" . \
  >"$logs/build.log" 2>&1 || fail "podman build (see $logs/build.log)"
config=$(podman image inspect "$image" --format \
  '{{.Config.User}} {{.Config.StopSignal}} {{json .Config.Entrypoint}} {{json .HealthCheck.Test}}')
echo "$config"
[[ $config == '1000:1000 SIGTERM ["/usr/bin/tini","--"] ["CMD","node","-e",'* ]] ||
  fail "the image's user, stop signal, entrypoint or healthcheck: $config"
in_image() { quiet podman run --rm --pull=never "${podman_limits[@]}" --entrypoint /bin/sh "$image" -c "$1"; }
found=$(in_image 'for tool in cc gcc g++ make python3; do command -v $tool; done; ls -a /app/.drover |
  grep -v "^\.*$"; ls -a node_modules | grep from-the-host; ls -d node_modules/drover/build 2>/dev/null; true')
[ -z "$found" ] || fail "in the image, and it should not be: $found"
owners=$(in_image 'stat -c "%U %a %n" /app /app/node_modules /app/.drover')
echo "$owners"
[ "$owners" = $'root 755 /app\nroot 755 /app/node_modules\nnode 700 /app/.drover' ] || fail "owners: $owners"
ok "2. $image built from the unchanged Dockerfile: USER 1000:1000, STOPSIGNAL SIGTERM, tini, a HEALTHCHECK;" \
  "no compiler, no addon compiled, the host's node_modules and .drover left out; /app root's, .drover node's"

# 4a. The Deployment, checked as an API server would take it; what its probes and grace period are.
tools=$dir/k8s-tools
if [ ! -d "$tools/node_modules/kubernetes-types" ]; then
  mkdir -p "$tools" && echo '{"name":"k8s-tools","private":true}' >"$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund kubernetes-models@5 kubernetes-types@1 yaml@2) >"$logs/k8s-tools.log" 2>&1
fi
node "$repo/scripts/container/check-manifest.ts" "$repo/docs/operations.md" "$tools" | tee "$logs/manifest.txt" ||
  fail "the Kubernetes snippet"
grace=$(awk '$1 == "grace" { print $2 }' "$logs/manifest.txt")
read -r _ _ start_path start_port start_period start_failures < <(grep '^probe startupProbe' "$logs/manifest.txt")
read -r _ _ ready_path ready_port _ < <(grep '^probe readinessProbe' "$logs/manifest.txt")
read -r _ _ live_path live_port _ < <(grep '^probe livenessProbe' "$logs/manifest.txt")
ok "4. the snippet is a valid apps/v1 Deployment (schema, no unknown field, probe ports named);" \
  "terminationGracePeriodSeconds $grace"

# 3. The container, with its ports published on loopback only; the kubelet's probes go there.
say "3. podman run, the probes, podman stop"
started=$(now_ms)
quiet podman run -d --name "$name" "${podman_limits[@]}" -p 127.0.0.1::8080 -p "127.0.0.1::$ready_port" \
  "$image" >/dev/null
app=$(podman port "$name" 8080/tcp)
health=$(podman port "$name" "$ready_port/tcp")
[ "$start_port" = "$ready_port" ] && [ "$live_port" = "$ready_port" ] || fail "the probes use two ports"
# The startupProbe: polled until it passes, within its periodSeconds x failureThreshold.
seen=
deadline=$((started + start_period * start_failures * 1000))
while :; do
  code=$(probe "$health" "$start_path")
  [[ " $seen " == *" $code "* ]] || seen="$seen $code"
  [ "$code" = 200 ] && break
  [ "$(now_ms)" -lt "$deadline" ] || fail "startupProbe $start_path: no 200 in ${start_period}x${start_failures} s"
  sleep 0.1
done
ok "4. startupProbe GET $start_path on $start_port: passed $(($(now_ms) - started)) ms after the start" \
  "(answers seen in order:$seen)"

answer=$(curl -sS -m 5 "http://$app/hello")
echo "$answer"
[[ $answer == "/hello from "*" as uid 1000" ]] || fail "GET / on 8080: $answer"
ok "3. it serves on 8080: $answer"

podman top "$name" user pid ppid args | tee "$logs/top.txt"
awk 'NR > 1 && $2 == 1 && $4 == "/usr/bin/tini" { found = 1 } END { exit !found }' "$logs/top.txt" ||
  fail "PID 1 is not tini"
master=$(awk 'NR > 1 && $3 == 1 && / start *$/ { print $2 }' "$logs/top.txt")
children=$(awk -v m="$master" 'NR > 1 && $3 == m && /child\/main.js/' "$logs/top.txt" | wc -l)
[ -n "$master" ] && [ "$children" -ge 2 ] || fail "no master under tini with its children"
awk 'NR > 1 && $1 != "node" { exit 1 }' "$logs/top.txt" || fail "a process runs as another user than node"
ok "3. PID 1 is tini; drover's master (pid $master) and its $children children run as node"

for path in /livez /readyz; do
  body=$(curl -sS -m 2 "http://$health$path")
  echo "$path $body"
  [[ $body == '{"ok":true,"state":"serving"'* ]] || fail "$path: $body"
done
[ "$(probe "$health" "$ready_path")" = 200 ] && [ "$(probe "$health" "$live_path")" = 200 ] ||
  fail "the readiness or liveness probe"
ok "3. /livez and /readyz answer 200 on $ready_port; 4. readinessProbe $ready_path and livenessProbe $live_path pass"

podman healthcheck run "$name" || fail "podman healthcheck run"
status=$(podman inspect "$name" --format '{{.State.Health.Status}}')
[ "$status" = healthy ] || fail "podman inspect says the container is $status"
ok "3. podman healthcheck run passes (the image's HEALTHCHECK, GET /readyz): $status"

# shellcheck source=try-stop.sh
. "$repo/scripts/container/try-stop.sh"

quiet podman rm "$name" >/dev/null
left=$(podman ps -a --filter "name=^$name\$" --format '{{.Names}}')
[ -z "$left" ] || fail "left behind: $left"
podman ps -a
ok "3. nothing left: podman ps -a has no $name"

printf '\ntry: what this run proved (podman %s, %s):\n' "$(podman version --format '{{.Client.Version}}')" "$(date -u +%F)"
printf '  %s\n' "${proved[@]}"
