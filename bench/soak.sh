#!/usr/bin/env bash
# bench/soak.sh — the local mesh from its first second to its tenth minute: ./demo started fresh,
# then three phases on the page through the ingress gateway, each judged at the end.
#
# 1. First second: FIRST_RATE pages/s (150) for FIRST s (60), sent from the moment ./demo says
#    ready (./loadtest's open model, latency from the intended send time). A third of the way in,
#    catalogdetail v1's process is SIGKILLed (the kubelet restarts it, and it joins again once
#    warm); two thirds in, productcatalog is rolled out (an env change: a new pod, then the old
#    one leaves). Each instance that becomes Ready must take its share with no failed page. The
#    requests on their way to the killed process when it died are lost, on EKS as here (Istio's
#    default retry policy does not retry a reset): the access logs tell them apart, and they are
#    counted on their own.
# 2. Maximum: wrk -t2 -c$CONNECTIONS for MAX_DURATION s (20): the pages/s the mesh serves now.
# 3. Soak: half of that maximum for DURATION s (600), reported per SAMPLE s (60) window; every
#    SAMPLE s (in the middle of each window) the RSS and the open descriptors of every process of
#    the mesh (the launcher with the proxies, each service) are sampled from /proc.
#
# Targets, each printed as met or MISSED on the last line:
# - no failed page in phase 1 and none in phase 3 (every answer 2xx, no transport error);
# - from WARM s into the soak (120) on, each process's RSS within RSS_BAND % (10) of its first
#   sample from then;
# - no descriptor leaked: SETTLE s (75) after the load ends, once the connection pools have closed
#   what idled past their 60-s timeouts, each process has at most FD_BAND (16) descriptors more
#   than the fewest it had open at any sample from WARM s on. Under load the count moves with the
#   load's concurrency: a stall of a few hundred ms anywhere makes the load generator open up to
#   its 256 connections, each proxy and service opens as many upstream, and they close one idle
#   timeout after the burst; a leak stays.
# - from WARM s on, every window's p99 within P99_BAND (2.0) times the median of those windows' p99s.
# CHAOS=1 adds what a demo goes through while it runs, during the soak, on a cycle: a scenario
# folder applied and the base configuration back, a fault injected and reset, a pod SIGKILLed
# (the kubelet restarts it), a broken folder applied (refused). Its failed pages are then those
# the policy in force explains; the soak's own target stays 0 and reads MISSED when any fails.
#
#   bench/soak.sh
#   DURATION=120 WARM=60 SAMPLE=20 bench/soak.sh      # a short one
#   CHAOS=1 bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-600}
FIRST=${FIRST:-60}
FIRST_RATE=${FIRST_RATE:-150}
MAX_DURATION=${MAX_DURATION:-20}
CONNECTIONS=${CONNECTIONS:-10}
SAMPLE=${SAMPLE:-60}
WARM=${WARM:-120}
RSS_BAND=${RSS_BAND:-10}
FD_BAND=${FD_BAND:-16}
SETTLE=${SETTLE:-75}
P99_BAND=${P99_BAND:-2.0}
CHAOS=${CHAOS:-0}

source bench/lib.sh
PAGE="http://127.0.0.1:$((8080 + OFFSET))/"
ADMIN="http://127.0.0.1:$((15000 + OFFSET))"
need_wrk
build_if_missing
(( WARM < DURATION )) || die "WARM ($WARM) must be less than DURATION ($DURATION)"
mkdir -p bench/results
OUT=bench/results/soak
rm -rf "$OUT" && mkdir -p "$OUT"

LOAD_PID= CHAOS_PID=
stop_all() {
  [[ -n $CHAOS_PID ]] && kill "$CHAOS_PID" 2>/dev/null || true
  [[ -n $LOAD_PID ]] && kill "$LOAD_PID" 2>/dev/null || true
  stop_demo
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# sample T: one line per process of the mesh: T NAME PID RSS_KB FDS. A service is named by its
# application directory; the launcher (which runs every proxy) is "mesh".
sample() {
  local t=$1 pid name
  for pid in "$DEMO_PID" $(pgrep -P "$DEMO_PID" || true); do
    [[ -r /proc/$pid/status ]] || continue
    if [[ $pid == "$DEMO_PID" ]]; then
      name=mesh
    else
      name=$(readlink "/proc/$pid/cwd" 2>/dev/null | sed -E 's|/target/quarkus-app$||; s|.*/||')
      [[ -n $name ]] || continue
    fi
    echo "$t $name $pid $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)" \
      "$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
  done
}

# pid_of NAME: the process of the mesh that sample names NAME.
pid_of() { sample 0 | awk -v name="$1" '$2 == name {print $3; exit}'; }

# chaos: the cycle CHAOS=1 runs during the soak, one step every 20 s, in this order.
chaos() {
  local broken="$OUT/broken-folder" victim
  mkdir -p "$broken"
  # A timeout that is no duration and a subset no DestinationRule defines: refused, nothing changes.
  printf 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: catalogdetail}\nspec:\n  hosts: [catalogdetail]\n  http:\n    - timeout: soon\n      route:\n        - destination: {host: catalogdetail, subset: v9}\n' \
    > "$broken/virtual-service.yaml"
  local steps=(weight retries fault kill broken base)
  local i=0
  while sleep 20; do
    local step=${steps[i % ${#steps[@]}]}
    case $step in
      weight) ./demo apply istio/weight-based-routing --port-offset "$OFFSET" > /dev/null 2>&1 || true ;;
      retries) ./demo apply istio/retries --port-offset "$OFFSET" > /dev/null 2>&1 || true ;;
      fault) curl -s "http://127.0.0.1:$((3000 + OFFSET))/injectFault" > /dev/null || true
             sleep 5
             curl -s "http://127.0.0.1:$((3000 + OFFSET))/resetFault" > /dev/null || true ;;
      kill) victim=$(pid_of catalogdetail-v1)
            [[ -n $victim ]] && kill -9 "$victim" 2>/dev/null || true ;;
      broken) ./demo apply "$broken" --port-offset "$OFFSET" > /dev/null 2>&1 || true ;;
      base) ./demo apply istio/setup-mesh-resources --port-offset "$OFFSET" > /dev/null 2>&1 || true ;;
    esac
    echo "$(date +%s.%N) $step" >> "$OUT/chaos.log"
    i=$((i + 1))
  done
}

echo "bench: soak of the local mesh; ${FIRST_RATE} pages/s for ${FIRST}s from ready, maximum over ${MAX_DURATION}s," \
  "then half of it for ${DURATION}s (windows of ${SAMPLE}s, flat from ${WARM}s); chaos $([[ $CHAOS == 1 ]] && echo on || echo off);" \
  "$(nproc) cores, $(java -version 2>&1 | head -1)"

start_demo "$OUT/demo.log" --port-offset "$OFFSET"
LOGS=$(sed -n 's/^demo: admin API .*; access logs in //p' "$OUT/demo.log")
phase1_from=$(date +%s.%3N)
./loadtest "$PAGE" --rate "${FIRST_RATE}/s" --duration "${FIRST}s" --window 1s -q --json "$OUT/first.json" > /dev/null &
LOAD_PID=$!
sleep $((FIRST / 3))
victim=$(pid_of catalogdetail-v1)
[[ -n $victim ]] && kill -9 "$victim"
killed_at=$(date +%s.%3N)
echo "bench: $((FIRST / 3)) s after ready: SIGKILL to catalogdetail v1 (pid ${victim:-none})"
sleep $((FIRST / 3))
curl -s -X POST -H 'Content-Type: application/json' -d '{"SOAK_ROLLOUT":"'"$(date +%s)"'"}' \
  "$ADMIN/deployments/productcatalog/env" > "$OUT/rollout.json" || true
echo "bench: $((2 * FIRST / 3)) s after ready: productcatalog rolled out ($(cat "$OUT/rollout.json"))"
wait "$LOAD_PID" || true
LOAD_PID=
phase1_to=$(date +%s.%3N)
grep -E "^demo: +\[?(catalogdetail-0|productcatalog-[0-9])" "$OUT/demo.log" | tail -6 || true

max=$(wrk -t2 -c"$CONNECTIONS" -d"${MAX_DURATION}s" "$PAGE" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
rate=$((max / 2))
(( rate > 0 )) || die "wrk measured no maximum on $PAGE"
echo "bench: maximum ${max} pages/s (wrk -t2 -c$CONNECTIONS, ${MAX_DURATION}s); soaking at ${rate} pages/s"

./loadtest "$PAGE" --rate "${rate}/s" --duration "${DURATION}s" --window "${SAMPLE}s" -q --json "$OUT/soak.json" > /dev/null &
LOAD_PID=$!
if [[ $CHAOS == 1 ]]; then
  chaos &
  CHAOS_PID=$!
fi
# Samples in the middle of each window, while the load runs (its end closes connections).
t=$((SAMPLE / 2))
sleep "$t"
: > "$OUT/processes.txt"
while (( t < DURATION )) && kill -0 "$LOAD_PID" 2>/dev/null; do
  sample "$t" >> "$OUT/processes.txt"
  sleep "$SAMPLE"
  t=$((t + SAMPLE))
done
wait "$LOAD_PID" || true
LOAD_PID=
if [[ -n $CHAOS_PID ]]; then kill "$CHAOS_PID" 2>/dev/null || true; wait "$CHAOS_PID" 2>/dev/null || true; CHAOS_PID=; fi
echo "bench: load ended; ${SETTLE} s for the idle connections to close, then the descriptors once more"
sleep "$SETTLE"
sample $((DURATION + SETTLE)) > "$OUT/settled.txt"
curl -s "$ADMIN/pods" > "$OUT/pods.json" || true
stop_demo
# Phase 1's access-log lines (with a few seconds' margin: a line carries its request's start) go
# with the run, so that bench/soak-report.py re-reads this run, not what the next ./demo wrote.
rm -rf "$OUT/access-logs" && mkdir -p "$OUT/access-logs"
from="[$(date -u -d "@${phase1_from%.*}" +%Y-%m-%dT%H:%M:%S)" to="[$(date -u -d "@$(( ${phase1_to%.*} + 5 ))" +%Y-%m-%dT%H:%M:%S)"
for log in "$LOGS"/*.log; do
  [[ -n $LOGS && -f $log ]] || continue
  awk -v from="$from" -v to="$to" '$0 >= from && $0 < to' "$log" > "$OUT/access-logs/${log##*/}"
done

python3 - "$OUT/params.json" <<PY
import json, sys
json.dump({"warm": $WARM, "rss_band": $RSS_BAND, "fd_band": $FD_BAND, "p99_band": $P99_BAND, "settle": $SETTLE, "first_rate": $FIRST_RATE,
           "rate": $rate, "logs": "access-logs", "phase1_from": $phase1_from, "phase1_to": $phase1_to,
           "killed_at": ${killed_at:-0}, "victim": "127.0.0.1:$((3000 + OFFSET))"}, open(sys.argv[1], "w"))
PY
python3 bench/soak-report.py "$OUT"
