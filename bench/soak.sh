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
#   sample from then, and its descriptors within FD_BAND (16) of theirs: flat after warm-up;
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
P99_BAND=${P99_BAND:-2.0}
CHAOS=${CHAOS:-0}
OFFSET=${OFFSET:-24000}
PAGE="http://127.0.0.1:$((8080 + OFFSET))/"
ADMIN="http://127.0.0.1:$((15000 + OFFSET))"

source bench/lib.sh
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
      kill) victim=$(sample 0 | awk '$2 == "catalogdetail-v1" {print $3; exit}')
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
victim=$(sample 0 | awk '$2 == "catalogdetail-v1" {print $3; exit}')
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
curl -s "$ADMIN/pods" > "$OUT/pods.json" || true
stop_demo

python3 - "$OUT" "$WARM" "$RSS_BAND" "$FD_BAND" "$P99_BAND" "$FIRST_RATE" "$rate" "$LOGS" "$phase1_from" "$phase1_to" \
  "${killed_at:-0}" "127.0.0.1:$((3000 + OFFSET))" <<'PY'
import glob, json, re, statistics, sys
from collections import defaultdict
from datetime import datetime
out, warm, rss_band, fd_band, p99_band, first_rate, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
logs, phase1_from, phase1_to, killed_at, victim = sys.argv[8], float(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11]), sys.argv[12]

# The access logs (Istio's TEXT format): a failed page's lines, by its x-request-id.
LINE = re.compile(r'^\[([^\]]+)\] "[^"]*" (\d+) (\S+) .*? "[^"]*" "[^"]*" "([^"]*)" "[^"]*" "([^"]*)" ')
by_id = defaultdict(list)
ingress_failed = []
for path in glob.glob(f"{logs}/*.log"):
    for text in open(path):
        m = LINE.match(text)
        if not m:
            continue
        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=__import__("datetime").timezone.utc).timestamp()
        line = (t, int(m.group(2)), m.group(3), m.group(4), m.group(5))
        by_id[m.group(4)].append(line)
        if "ingress" in path and phase1_from <= t <= phase1_to and not 200 <= line[1] < 300:
            ingress_failed.append(line)
def in_flight_to_the_killed(request_id):
    return any(upstream == victim and flags in ("UC", "UF", "URX", "UC,URX") and abs(t - killed_at) <= 2
               for t, status, flags, _, upstream in by_id[request_id])
lost_in_flight = sum(1 for line in ingress_failed if in_flight_to_the_killed(line[3]))

def failed(report):
    return sum(n for status, n in report["statuses"].items() if not status.startswith("2")) + report["transportErrors"]

first = json.load(open(f"{out}/first.json"))["report"]
soak = json.load(open(f"{out}/soak.json"))["report"]
first_failed, soak_failed = failed(first), failed(soak)
first_unexplained = first_failed - lost_in_flight
early = [w for w in first["windows"] if w["startSeconds"] < 5 and w["requests"]]
print(f"\nphase 1, {first_rate} pages/s from ready, a SIGKILL and a rollout: {first['requests']} pages, {first_failed} failed; "
      f"{lost_in_flight} of them in flight to the killed process when it died (a reset, which Istio does not retry by default); "
      f"p50 {first['latency']['p50Ms']:.1f} ms, p99 {first['latency']['p99Ms']:.1f} ms; "
      "p99 of the first 5 s, per second: " + ", ".join(f"{w['p99Ms']:.0f}" for w in early) + " ms")

print(f"\nphase 3, {rate} pages/s: {soak['requests']} pages, {soak_failed} failed; statuses {soak['statuses']}, errors {soak['errors']}")
print(f"{'window':>10} {'pages':>8} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8}")
windows = [w for w in soak["windows"] if w["seconds"] > 0.5 * soak["windows"][0]["seconds"]]
for w in windows:
    print(f"{w['startSeconds']:>5.0f}-{w['startSeconds'] + w['seconds']:<4.0f} {w['requests']:>8} {w['errors']:>7} {w['p50Ms']:>8.2f} {w['p99Ms']:>8.2f}")
p99s = [w["p99Ms"] for w in windows if w["startSeconds"] >= warm] or [w["p99Ms"] for w in windows]
p99_median = statistics.median(p99s)
p99_worst = max(p99s) / p99_median if p99_median else float("inf")

samples = defaultdict(list)  # name -> [(t, pid, rss_kb, fds)]
for line in open(f"{out}/processes.txt"):
    t, name, pid, rss, fds = line.split()
    samples[name].append((int(t), pid, int(rss), int(fds)))
print(f"\nprocesses (RSS MB / open descriptors at each sample; from {warm} s on: change against the first sample from then)")
flat_rss, flat_fd, notes = True, True, []
for name in sorted(samples):
    rows = samples[name]
    print(f"  {name:<18} " + "  ".join(f"{t}s {rss / 1024:.0f}/{fds}" for t, _, rss, fds in rows))
    after = [r for r in rows if r[0] >= warm]
    if not after:
        continue
    pid0, rss0, fd0 = after[0][1], after[0][2], after[0][3]
    same = [r for r in after if r[1] == pid0]
    if len(same) < len(after):
        notes.append(f"{name} restarted after {warm} s: judged on its first process only")
    rss_move = max(abs(r[2] - rss0) for r in same) / rss0 * 100
    fd_move = max(abs(r[3] - fd0) for r in same)
    flat_rss &= rss_move <= rss_band
    flat_fd &= fd_move <= fd_band
    print(f"  {'':<18} RSS moved at most {rss_move:.1f} % (band {rss_band:.0f} %), descriptors {fd_move} (band {fd_band})")
for note in notes:
    print("  note:", note)

verdict = lambda ok: "met" if ok else "MISSED"
print(f"\nverdict: no failed page from ready, through a restart and a rollout, beyond those in flight to the killed process "
      f"({first_unexplained} of {first['requests']}) {verdict(first_unexplained == 0)}; "
      f"no failed page in the soak ({soak_failed} of {soak['requests']}) {verdict(soak_failed == 0)}; "
      f"RSS flat from {warm} s (±{rss_band:.0f} %) {verdict(flat_rss)}; descriptors flat (±{fd_band}) {verdict(flat_fd)}; "
      f"p99 stable from {warm} s (worst window {p99_worst:.2f} x their median {p99_median:.1f} ms, band {p99_band}) {verdict(p99_worst <= p99_band)}")
PY
