#!/usr/bin/env bash
# bench/launcher-allocation.sh — what the mesh's JVM (./demo's launcher, where every proxy runs)
# allocates on its heap per page served, this tree's launcher against a reference build of it, in
# the same invocation. Allocation per page is the one cost of the request path this VM does not
# blur: it depends on the code, not on the machine's speed of the hour, so a change to the request
# path shows here even when it is too small for the throughput to tell (bench/mesh-overhead.sh).
#
# REF (default: the commit before the latest one that changed local-mesh/src/main) is built in a
# git worktree under bench/results/; both launchers run this tree's services. In each of ROUNDS
# rounds each launcher is started fresh (the two in turn, the order swapped every round), warmed
# with wrk -t2 -c10 for WARMUP s, then measured over MEASURE s of the same load: the bytes its
# threads allocated (HotSpot's TotalThreadAllocatedBytes, read through bench/tools/JvmAllocated.java)
# and its CPU, each per page. It prints every round, the medians with their spread, and the
# ratio ours / reference of the medians. CPU per page is printed for context only: this VM moves
# it by a quarter between rounds.
#
#   bench/launcher-allocation.sh
#   REF=7fe7559 ROUNDS=5 bench/launcher-allocation.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-60}
MEASURE=${MEASURE:-15}
CONNECTIONS=${CONNECTIONS:-10}

source bench/lib.sh
need_wrk
build_if_missing
mkdir -p bench/results

if [[ -z ${REF:-} ]]; then
  REF=$(git log -1 --format=%H -- local-mesh/src/main)~1
fi
ref=$(git rev-parse --verify -q "$REF^{commit}") || die "REF '$REF' is no commit here"
short=$(git rev-parse --short "$ref")
worktree=bench/results/launcher-ref-$short
if [[ ! -f $worktree/local-mesh/target/local-mesh.jar ]]; then
  echo "bench: building the reference launcher at $short in $worktree"
  rm -rf "$worktree"
  git worktree prune
  git worktree add -q --detach "$worktree" "$ref"
  (cd "$worktree" && ./mvnw -B -q -ntp -o package -pl local-mesh -am -DskipTests -Djacoco.skip=true 2>/dev/null \
    || ./mvnw -B -q -ntp package -pl local-mesh -am -DskipTests -Djacoco.skip=true) \
    || die "the reference launcher at $short did not build"
fi

stop_all() { stop_demo; }
trap stop_all EXIT
# Ctrl-C and kill end the script (the EXIT trap then stops what it started).
trap 'exit 130' INT
trap 'exit 143' TERM

allocated() { java bench/tools/JvmAllocated.java "$1" || die "cannot read the allocation of process $1"; }
url="http://127.0.0.1:$((OFFSET + 8080))/"
hz=$(getconf CLK_TCK)

# measure NAME JAR: one fresh launcher: sets BYTES, MICROS and RPS for its measured window.
measure() {
  local name=$1 jar=$2 log=bench/results/launcher-allocation-$1.log
  LAUNCHER_JAR=$jar start_demo "$log" --port-offset "$OFFSET"
  local pid=$DEMO_PID
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$url" > /dev/null
  allocated "$pid" > /dev/null # the agent starts here, not in the window
  local a0 t0 a1 t1 out pages
  a0=$(allocated "$pid"); t0=$(proc_ticks "$pid")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${MEASURE}s" "$url")
  t1=$(proc_ticks "$pid"); a1=$(allocated "$pid")
  stop_demo
  pages=$(awk '/requests in/ { print $1 }' <<< "$out")
  [[ $pages =~ ^[0-9]+$ && $pages -gt 0 ]] || die "wrk on $url printed no request count ($name); see $log"
  BYTES=$(( (a1 - a0) / pages ))
  MICROS=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v p="$pages" 'BEGIN { printf "%.1f", t / hz * 1e6 / p }')
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<< "$out")
}

echo "bench: the launcher's heap allocation per page, this tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- local-mesh || echo ', with changes')) against $short; $ROUNDS rounds, wrk -t2 -c$CONNECTIONS ${WARMUP}s warm-up then ${MEASURE}s measured; $(nproc) cores"
ours_bytes=() ref_bytes=()
printf '%-6s %-10s %12s %12s %10s\n' round launcher "bytes/page" "CPU µs/page" "pages/s"
for round in $(seq 1 "$ROUNDS"); do
  order=(ref ours)
  (( round % 2 == 0 )) && order=(ours ref)
  for side in "${order[@]}"; do
    if [[ $side == ref ]]; then measure ref "$worktree/local-mesh/target/local-mesh.jar"; ref_bytes+=("$BYTES")
    else measure ours local-mesh/target/local-mesh.jar; ours_bytes+=("$BYTES"); fi
    printf '%-6s %-10s %12s %12s %10s\n' "$round" "$side" "$BYTES" "$MICROS" "$RPS"
  done
done
ours=$(median "${ours_bytes[@]}") reference=$(median "${ref_bytes[@]}")
echo "bench: bytes allocated per page, median (spread): this tree $ours ($(spread "${ours_bytes[@]}")), $short $reference ($(spread "${ref_bytes[@]}"))"
echo "bench: this tree / $short = $(ratio3 "$ours" "$reference")"
