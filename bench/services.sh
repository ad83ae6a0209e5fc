#!/usr/bin/env bash
# bench/services.sh — throughput, latency, startup and memory of the packaged services (JVM mode).
#
# Starts catalogdetail-v1, productcatalog and frontend one after another on 127.0.0.1, as ./demo
# does (JVM options from local-mesh/service-jvm.options, the build's app-cds.jsa), each start
# timed alone, from process spawn to its first 200; then for each target runs wrk
# -t2 -c10: a 5 s warm-up, then 20 s measured. Prints req/s, p50, p99, startup-to-first-200 and
# RSS after load, and the ratio to the original Node/Flask stack measured on the same kind of
# 2-core machine (figures below). wrk shares the 2 cores with the services: absolute figures
# are for this machine; compare runs made here.
#
#   bench/services.sh                 # defaults: 20 s measured, 5 s warm-up
#   DURATION=60 WARMUP=10 bench/services.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-10}
PORT_BASE=${PORT_BASE:-23000}

# The original stack (Node catalogdetail, Flask productcatalog, Node frontend), same machine kind.
REF_CATALOGDETAIL_RPS=3786; REF_CATALOGDETAIL_P99=8.1
REF_CHAIN_RPS=388;          REF_CHAIN_P99=52

die() { echo "bench: $*" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing wrk (apt-get install wrk)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    die "wrk is missing: apt-get install wrk"
  fi
fi
command -v curl >/dev/null || die "curl is missing: apt-get install curl"

for m in catalogdetail-v1 productcatalog frontend; do
  [[ -f $m/target/quarkus-app/quarkus-run.jar && -f $m/target/quarkus-app/app-cds.jsa ]] \
    || { echo "bench: building"; ./mvnw -B -q -ntp package -DskipTests; break; }
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }

# start NAME PORT PATH [ENV=VALUE ...]: starts a service, waits for its first 200, prints ms.
start() {
  local name=$1 port=$2 path=$3; shift 3
  local t0; t0=$(now_ms)
  # As ./demo starts it: from quarkus-app/, with the class-data-sharing archive the build made.
  local cds=(); [[ -f $name/target/quarkus-app/app-cds.jsa ]] && cds=(-XX:SharedArchiveFile=app-cds.jsa)
  (cd "$name/target/quarkus-app" && exec env "$@" java "${JVM_OPTS[@]}" "${cds[@]}" -Dquarkus.http.host=127.0.0.1 \
      -Dquarkus.http.port="$port" -Dquarkus.banner.enabled=false -jar quarkus-run.jar) > "bench/results/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  eval "PID_${name//-/_}=$pid"
  local deadline=$((t0 + 60000))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || die "$name exited; see bench/results/$name.log"
    (( $(now_ms) < deadline )) || die "$name did not answer 200 within 60 s"
    sleep 0.01   # measurement granularity of startup-to-first-200, not synchronisation
  done
  eval "STARTUP_${name//-/_}=$(( $(now_ms) - t0 ))"
}

# load URL: warm-up, then the measured run; sets RPS P50 P99 (ms).
load() {
  local url=$1
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" > /dev/null
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")
  echo "$out" > "bench/results/wrk-$(echo "$url" | tr -c 'a-zA-Z0-9' '_').txt"
  RPS=$(awk '/^Requests\/sec:/ {print $2}' <<< "$out")
  P50=$(awk '$1=="50%" {print $2}' <<< "$out")
  P99=$(awk '$1=="99%" {print $2}' <<< "$out")
  NON2XX=$(awk '/Non-2xx/ {print $NF}' <<< "$out"); NON2XX=${NON2XX:-0}
  ERRORS=$(awk '/Socket errors/ {print}' <<< "$out")
}

to_ms() { # wrk prints 1.23ms / 456.00us / 1.20s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}
rss_mb() { awk '{printf "%.0f", $1/1024}' <<< "$(ps -o rss= -p "$1")"; }

mkdir -p bench/results
# As ./demo runs them: two glibc malloc arenas per service (about 10 MB less RSS each).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# The services' JVM options on one machine, shared with ./demo.
mapfile -t JVM_OPTS < <(grep -v '^\s*#' local-mesh/service-jvm.options | grep -v '^\s*$')
CD=$((PORT_BASE)); PC=$((PORT_BASE + 1)); FE=$((PORT_BASE + 2))
start catalogdetail-v1 "$CD" /catalogDetail
start productcatalog "$PC" /products/ AGG_APP_URL="http://127.0.0.1:$CD/catalogDetail"
start frontend "$FE" / BASE_URL="http://127.0.0.1:$PC/products/"

echo "bench: JVM options: ${JVM_OPTS[*]}"
echo "bench: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up + ${DURATION}s measured, $(nproc) cores, $(java -version 2>&1 | head -1)"
load "http://127.0.0.1:$CD/catalogDetail"
CD_RPS=$RPS; CD_P50=$(to_ms "$P50"); CD_P99=$(to_ms "$P99"); CD_NON2XX=$NON2XX; CD_ERR=$ERRORS
load "http://127.0.0.1:$FE/"
FE_RPS=$RPS; FE_P50=$(to_ms "$P50"); FE_P99=$(to_ms "$P99"); FE_NON2XX=$NON2XX; FE_ERR=$ERRORS

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a/b }'; }
printf '\n%-28s %10s %9s %9s %10s %10s\n' "target" "req/s" "p50 ms" "p99 ms" "non-2xx" "vs orig"
printf '%-28s %10.0f %9s %9s %10s %9sx\n' "catalogdetail /catalogDetail" "$CD_RPS" "$CD_P50" "$CD_P99" "$CD_NON2XX" "$(ratio "$CD_RPS" $REF_CATALOGDETAIL_RPS)"
printf '%-28s %10.0f %9s %9s %10s %9sx\n' "frontend / (full chain)" "$FE_RPS" "$FE_P50" "$FE_P99" "$FE_NON2XX" "$(ratio "$FE_RPS" $REF_CHAIN_RPS)"
[[ -n $CD_ERR ]] && echo "catalogdetail: $CD_ERR"
[[ -n $FE_ERR ]] && echo "frontend: $FE_ERR"
printf '\n%-18s %22s %16s\n' "service" "startup-to-200 ms" "RSS after MB"
printf '%-18s %22s %16s\n' catalogdetail-v1 "$STARTUP_catalogdetail_v1" "$(rss_mb "$PID_catalogdetail_v1")"
printf '%-18s %22s %16s\n' productcatalog "$STARTUP_productcatalog" "$(rss_mb "$PID_productcatalog")"
printf '%-18s %22s %16s\n' frontend "$STARTUP_frontend" "$(rss_mb "$PID_frontend")"
printf '\noriginal stack (reference): catalogdetail %s req/s p99 %s ms; full chain %s req/s p99 %s ms; startup ~0.6 s; RSS 50-180 MB\n' \
  $REF_CATALOGDETAIL_RPS $REF_CATALOGDETAIL_P99 $REF_CHAIN_RPS $REF_CHAIN_P99
