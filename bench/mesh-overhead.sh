#!/usr/bin/env bash
# bench/mesh-overhead.sh — what the local mesh adds to the page: the same load on the page through
# the mesh (ingress gateway -> frontend -> its sidecar -> productcatalog -> its sidecar ->
# catalogdetail: three proxy hops) and direct (`./demo --no-mesh`: the same services calling each
# other), in one invocation, one after the other, RUNS times (direct, mesh, direct, mesh, ...), each
# start fresh. It prints every run and the median of the runs, with their spread.
#
# Throughput: wrk -t2 -c10, WARMUP s then DURATION s measured. Latency: ./loadtest's open model at
# RATE requests/s for DURATION s (latency from the intended send time, so no coordinated
# omission), after a warm-up at the same rate; the added p50 and p99 are divided by the three hops.
# The default 1000 req/s keeps every process busy and warm, yet well below what either serves;
# at a few hundred req/s this VM's idle wake-ups dominate both sides.
# The traffic view's cost: on the same mesh, VIEW_ROUNDS rounds of wrk without the view, then
# with it open (headless Chromium on the page when installed, else a reader of its event
# stream); the ratio is the sum with over the sum without (VIEW=0 skips it).
# Targets: at most 0.3 ms added to p50 per hop (Envoy adds about 0.2 ms), at least 0.5 x the
# direct throughput, and at most 5% less throughput with the traffic view open. The last line is
# the verdict, naming the targets: met or MISSED.
#
#   bench/mesh-overhead.sh
#   WARMUP=60 DURATION=30 RATE=500 RUNS=5 bench/mesh-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-10}
RUNS=${RUNS:-3}
OFFSET=${OFFSET:-24000}
HOPS=3
TARGET_P50_PER_HOP_MS=0.3
TARGET_THROUGHPUT_RATIO=0.5
VIEW=${VIEW:-1}
VIEW_ROUNDS=${VIEW_ROUNDS:-3}
TARGET_VIEW_RATIO=0.95

source bench/lib.sh
need_wrk
build_if_missing

mkdir -p bench/results
VIEWER_PID=
PROFILE=bench/results/viewer-profile
stop_viewer() {
  if [[ -n $VIEWER_PID ]]; then
    kill "$VIEWER_PID" 2>/dev/null || true
    wait "$VIEWER_PID" 2>/dev/null || true
    VIEWER_PID=
    # Chromium's renderer and helper processes too, or the next round's browser opens a tab in them.
    pkill -f "user-data-dir=$PROFILE" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do pgrep -f "user-data-dir=$PROFILE" > /dev/null || break; sleep 0.1; done
  fi
}
stop_all() {
  stop_viewer
  stop_demo
}
trap stop_all EXIT
# Ctrl-C and kill end the script (the EXIT trap then stops what it started).
trap 'exit 130' INT
trap 'exit 143' TERM

# wrk_rps URL: req/s of one measured wrk run, after 3 s not counted (the viewer starting up).
wrk_rps() {
  wrk -t2 -c"$CONNECTIONS" -d3s "$1" > /dev/null
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$1" | awk '/^Requests\/sec:/ {printf "%.0f", $2}'
}

# open_view URL: the traffic view open in headless Chromium, or its event stream read by curl.
open_view() {
  local chromium
  chromium=$(command -v chromium || command -v chromium-browser || true)
  if [[ -n $chromium ]]; then
    VIEWER="headless Chromium on the page"
    "$chromium" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
      --user-data-dir="$PROFILE" --remote-debugging-port=0 "$1" > bench/results/mesh-overhead-viewer.log 2>&1 &
  else
    VIEWER="curl reading /traffic/events"
    curl -sN "${1}traffic/events" > /dev/null &
  fi
  VIEWER_PID=$!
}

# measure KEY URL: sets RPS[KEY], P50[KEY], P99[KEY] (ms).
declare -A RPS P50 P99
measure() {
  local key=$1 url=$2
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$url" > /dev/null
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$url")
  echo "$out" > "bench/results/mesh-overhead-wrk-$key.txt"
  RPS[$key]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<< "$out")
  ./loadtest "$url" --rate "${RATE}/s" --duration "${DURATION}s" --warmup "${WARMUP}s" -q \
    --json "bench/results/mesh-overhead-$key.json" > /dev/null
  read -r P50[$key] P99[$key] < <(python3 -c '
import json, sys
latency = json.load(open(sys.argv[1]))["report"]["latency"]
print(latency["p50Ms"], latency["p99Ms"])' "bench/results/mesh-overhead-$key.json")
}

echo "bench: $RUNS runs of direct then mesh; wrk -t2 -c$CONNECTIONS ${WARMUP}s warm-up + ${DURATION}s; latency at ${RATE} req/s for ${DURATION}s; $(nproc) cores, $(java -version 2>&1 | head -1)"
ratios=() p50_hops=() p99_hops=()
printf '\n%-5s %12s %12s %8s %18s %18s %14s\n' run "direct req/s" "mesh req/s" ratio "p50 ms direct/mesh" "p99 ms direct/mesh" "p50 added/hop"
for ((run = 1; run <= RUNS; run++)); do
  start_demo bench/results/mesh-overhead-direct.log --no-mesh --port-offset "$OFFSET"
  measure direct "http://127.0.0.1:$((9000 + OFFSET))/"
  stop_demo
  start_demo bench/results/mesh-overhead-mesh.log --port-offset "$OFFSET"
  measure mesh "http://127.0.0.1:$((8080 + OFFSET))/"
  if [[ $VIEW == 1 && $run == "$RUNS" ]]; then
    # On the last mesh: rounds alternate without and with the view, so drift over the minutes hits both alike.
    page="http://127.0.0.1:$((8080 + OFFSET))/"
    without=0 with=0 rounds=""
    for ((round = 1; round <= VIEW_ROUNDS; round++)); do
      a=$(wrk_rps "$page")
      open_view "http://127.0.0.1:$((15000 + OFFSET))/"
      b=$(wrk_rps "$page")
      stop_viewer
      without=$((without + a)) with=$((with + b)) rounds="$rounds $a/$b"
    done
  fi
  stop_demo
  ratio=$(awk -v m="${RPS[mesh]}" -v d="${RPS[direct]}" 'BEGIN { printf "%.2f", m / d }')
  p50_hop=$(awk -v m="${P50[mesh]}" -v d="${P50[direct]}" -v h=$HOPS 'BEGIN { printf "%.3f", (m - d) / h }')
  p99_hop=$(awk -v m="${P99[mesh]}" -v d="${P99[direct]}" -v h=$HOPS 'BEGIN { printf "%.3f", (m - d) / h }')
  ratios+=("$ratio") p50_hops+=("$p50_hop") p99_hops+=("$p99_hop")
  printf '%-5s %12s %12s %8s %18s %18s %14s\n' "$run" "${RPS[direct]}" "${RPS[mesh]}" "$ratio" \
    "${P50[direct]}/${P50[mesh]}" "${P99[direct]}/${P99[mesh]}" "$p50_hop"
done

ratio=$(median "${ratios[@]}")
p50_hop=$(median "${p50_hops[@]}")
p99_hop=$(median "${p99_hops[@]}")
printf '\nmedian of %d runs: throughput mesh/direct %s (runs %s); added per proxy hop (%d hops): p50 %s ms (runs %s), p99 %s ms\n' \
  "$RUNS" "$ratio" "$(spread "${ratios[@]}")" $HOPS "$p50_hop" "$(spread "${p50_hops[@]}")" "$p99_hop"
view_verdict=
if [[ $VIEW == 1 ]]; then
  view_ratio=$(awk -v w="$with" -v wo="$without" 'BEGIN { printf "%.3f", w / wo }')
  printf 'traffic view (%s): mesh req/s without/with, per round:%s; with/without %s\n' "$VIEWER" "$rounds" "$view_ratio"
  view_verdict="; with the traffic view open $view_ratio (target >= $TARGET_VIEW_RATIO) $(met "$view_ratio >= $TARGET_VIEW_RATIO")"
fi
echo "verdict (median of $RUNS runs): added p50 per hop $p50_hop ms (target <= $TARGET_P50_PER_HOP_MS ms) $(met "$p50_hop <= $TARGET_P50_PER_HOP_MS");" \
  "throughput ratio $ratio (target >= $TARGET_THROUGHPUT_RATIO) $(met "$ratio >= $TARGET_THROUGHPUT_RATIO")$view_verdict"
