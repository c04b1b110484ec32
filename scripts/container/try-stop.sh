# Sourced by try.sh (bash), with its container running and served: the graceful stop, acted out.
# Uses try.sh's name, app, health, ready_path, live_path, grace, started, work and logs, and its
# functions ok, fail, probe, quiet and now_ms.

# The stop: a /slow request in flight (the app said it began), then SIGTERM, as podman stop and the
# kubelet send it. Samplers ask /readyz, /livez and the app every 0.2 s until the stop returns.
curl -sS -m 60 -o /dev/null -w '%{http_code}' "http://$app/slow" >"$work/slow-before" &
slow_before=$!
until podman logs "$name" 2>/dev/null | grep -q 'slow request began'; do
  [ "$(($(now_ms) - started))" -lt 60000 ] || fail "/slow never began"
  sleep 0.1
done
stop_began=$(now_ms)
quiet podman stop -t "$grace" "$name" >/dev/null 2>"$work/stop.err" &
stopper=$!
sample() {
  until [ -e "$work/stopped" ]; do
    echo "$(($(now_ms) - stop_began)) $(probe "$1" "$2")"
    sleep 0.2
  done >"$3"
}
samplers=()
sample "$health" "$ready_path" "$work/ready" &
samplers+=($!)
sample "$health" "$live_path" "$work/live" &
samplers+=($!)
sample "$app" /during-the-stop "$work/served" &
samplers+=($!)
# A request begun near the end of shutdownDelay (5 s): it outlasts the delay, so the drain must
# let it finish.
until [ "$(($(now_ms) - stop_began))" -ge 4000 ]; do sleep 0.05; done
curl -sS -m 60 -o /dev/null -w '%{http_code}' "http://$app/slow" >"$work/slow-late" &
slow_late=$!

wait "$stopper" || fail "podman stop: $(cat "$work/stop.err")"
stop_ms=$(($(now_ms) - stop_began))
touch "$work/stopped"
wait "${samplers[@]}" "$slow_before" "$slow_late" || true
exit_code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
podman logs "$name" >"$logs/container.log" 2>&1
cp "$work/ready" "$work/live" "$work/served" "$logs/"
grep -E 'graceful stop|drover stopped' "$logs/container.log"

# Each sampler's answers in order, runs of one code folded: "200@0 503@212 000@6010" is 200 from
# 0 ms, 503 from 212 ms, no answer (the container gone) from 6010 ms.
runs() { awk '$2 != last { printf "%s%s@%s", sep, $2, $1; sep = " "; last = $2 }' "$1"; }
ready_runs=$(runs "$work/ready")
live_runs=$(runs "$work/live")
served_runs=$(runs "$work/served")
echo "/readyz: $ready_runs; /livez: $live_runs; the app: $served_runs"
# When SIGTERM reached the master (podman stop's own start before it): its log line's time.
signal_at=$(grep -m1 'graceful stop: still accepting' "$logs/container.log" | sed 's/.*"time":"\([^"]*\)".*/\1/')
[ -n "$signal_at" ] || fail "the master never logged a graceful stop"
signal_ms=$(($(date -d "$signal_at" +%s%3N) - stop_began))
[[ $ready_runs =~ ^(200@[0-9]+\ )?503@([0-9]+)(\ 000@[0-9]+)?$ ]] ||
  fail "/readyz during the stop: $ready_runs (200, then 503 to the end)"
not_ready_ms=$((BASH_REMATCH[2] - signal_ms))
[ "$not_ready_ms" -ge 0 ] || not_ready_ms=0
last_ready=$(awk '$2 == 200 { last = $1 } END { print last + 0 }' "$work/ready")
# A sample's time is taken before its request: a 200 asked after the signal would be a late flip.
[ "$last_ready" -le "$signal_ms" ] || fail "/readyz answered 200 to a probe sent after the master had SIGTERM"
[ "$not_ready_ms" -lt 1000 ] || fail "/readyz turned 503 only $not_ready_ms ms after SIGTERM"
[[ $live_runs =~ ^200@[0-9]+(\ 000@[0-9]+)?$ ]] ||
  fail "/livez during the stop: $live_runs: the kubelet's livenessProbe would kill a draining pod"
[[ $served_runs =~ ^200@[0-9]+\ 000@([0-9]+)$ ]] || fail "the app during the stop: $served_runs"
closed_ms=$((BASH_REMATCH[1] - signal_ms))
served_ms=$(($(awk '$2 == 200 { last = $1 } END { print last }' "$work/served") - signal_ms))
[ "$served_ms" -ge 4500 ] || fail "the app stopped accepting $served_ms ms after SIGTERM: before shutdownDelay (5 s) ended"
ok "3./4. SIGTERM reached the master $signal_ms ms into podman stop; from then on /readyz answered 503" \
  "(no 200 to a probe sent after it; the first 503 sample $not_ready_ms ms later) and /livez 200; the app" \
  "answered new connections until $served_ms ms after it, none from $closed_ms ms (shutdownDelay 5 s)"

for which in before late; do
  [ "$(cat "$work/slow-$which")" = 200 ] || fail "the /slow request begun $which: $(cat "$work/slow-$which")"
done
ok "3. a /slow request (2 s) in flight when the stop began, and one begun 4 s into it, both completed: 200"

[ "$exit_code" = 0 ] || fail "the container exited $exit_code"
[ "$stop_ms" -lt $((grace * 1000)) ] || fail "the stop took $stop_ms ms, past the grace period"
ok "3. podman stop -t $grace (SIGTERM): the container exited 0 after $stop_ms ms, 4. within" \
  "terminationGracePeriodSeconds ($grace s)"
