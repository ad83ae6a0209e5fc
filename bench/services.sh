#!/usr/bin/env bash
# bench/services.sh — throughput, latency, startup and memory of the packaged services (JVM mode).
#
# Starts catalogdetail-v1, productcatalog and frontend one after another on 127.0.0.1, as ./demo
# does (JVM options from local-mesh/service-jvm.options, the build's app-cds.jsa). Each service
# is started STARTS times (default 3) and timed from process spawn to its first 200; the median
# is reported with the range, and Quarkus' own "started in". The probe that waits for the 200
# is bash's /dev/tcp: it forks no process, so the waiting costs the starting JVM no CPU (a curl
# every 10 ms made the same start ~10-20 % slower on 2 cores). Then, for each target, wrk
# -t2 -c10: a 5 s warm-up, then 20 s measured. Prints req/s, p50, p99, startup-to-first-200 and
# RSS after load, and the ratio to the original Node/Flask stack measured on the same kind of
# 2-core machine (figures below). wrk shares the 2 cores with the services: absolute figures
# are for this machine; compare runs made here.
#
#   bench/services.sh                 # defaults: 20 s measured, 5 s warm-up, 3 starts each
#   DURATION=60 WARMUP=10 STARTS=5 bench/services.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-10}
STARTS=${STARTS:-3}
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

for m in catalogdetail-v1 productcatalog frontend; do
  [[ -f $m/target/quarkus-app/quarkus-run.jar && -f $m/target/quarkus-app/app-cds.jsa ]] \
    || { echo "bench: building"; ./mvnw -B -q -ntp package -DskipTests; break; }
done

declare -A PID STARTUP_MS
cleanup() { for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }

# A pipe that nobody writes: `read -t` on it waits without forking a sleep.
exec {IDLE}<> <(:)
pause() { read -r -t "$1" -u "$IDLE" _ || true; }

# probe PORT PATH: sets STATUS to the status of GET PATH on 127.0.0.1:PORT, 000 when nothing
# answers. Bash's /dev/tcp and builtins only: no process is forked.
probe() {
  local fd
  STATUS=000
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  IFS=' ' read -r -t 5 _ STATUS _ <&"$fd" || STATUS=000
  exec {fd}<&-
}

# launch NAME PORT PATH LOG [ENV=VALUE ...]: starts a service with its output in LOG, waits for
# its first 200; sets PID[NAME] and STARTUP_MS[NAME] (spawn to first 200).
launch() {
  local name=$1 port=$2 path=$3 log=$4; shift 4
  local t0; t0=$(now_ms)
  # As ./demo starts it: from quarkus-app/, with the class-data-sharing archive the build made.
  local cds=(); [[ -f $name/target/quarkus-app/app-cds.jsa ]] && cds=(-XX:SharedArchiveFile=app-cds.jsa)
  (cd "$name/target/quarkus-app" && exec env "$@" java "${JVM_OPTS[@]}" "${cds[@]}" -Dquarkus.http.host=127.0.0.1 \
      -Dquarkus.http.port="$port" -Dquarkus.banner.enabled=false -jar quarkus-run.jar) > "$log" 2>&1 &
  PID[$name]=$!
  local deadline=$((t0 + 60000))
  while probe "$port" "$path"; [[ $STATUS != 200 ]]; do
    kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited; see $log"
    (( $(now_ms) < deadline )) || die "$name did not answer 200 within 60 s"
    pause 0.005   # measurement granularity of startup-to-first-200, not synchronisation
  done
  STARTUP_MS[$name]=$(( $(now_ms) - t0 ))
}

# start NAME PORT PATH [ENV=VALUE ...]: STARTS timed starts, the last one left running, each
# logged to bench/results/NAME-N.log; sets STARTUP[NAME] to "median (min-max)".
declare -A STARTUP
start() {
  local name=$1 port=$2 path=$3 i spawn=(); shift 3
  for ((i = 1; i <= STARTS; i++)); do
    launch "$name" "$port" "$path" "bench/results/$name-$i.log" "$@"
    spawn+=("${STARTUP_MS[$name]}")
    if ((i < STARTS)); then kill "${PID[$name]}"; wait "${PID[$name]}" 2>/dev/null || true; fi
  done
  STARTUP[$name]=$(summary "${spawn[@]}")
}
summary() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%d (%d-%d)", v[int((NR+1)/2)], v[1], v[NR]}'; }
# Quarkus' own "started in" of NAME's starts, in ms, as "median (min-max)"; read after the load,
# when each log has its line (Quarkus prints it just after it starts listening).
started_in() {
  summary $(sed -n 's/.* started in \([0-9.]*\)s\..*/\1/p' bench/results/"$1"-[0-9]*.log | awk '{printf "%d\n", $1 * 1000}')
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
rss_mb() { awk '{printf "%.0f", $1/1024}' <<< "$(ps -o rss= -p "${PID[$1]}")"; }

mkdir -p bench/results && rm -f bench/results/*.log
# As ./demo runs them: two glibc malloc arenas per service (about 10 MB less RSS each).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# The services' JVM options on one machine, shared with ./demo.
mapfile -t JVM_OPTS < <(grep -v '^\s*#' local-mesh/service-jvm.options | grep -v '^\s*$')
CD=$((PORT_BASE)); PC=$((PORT_BASE + 1)); FE=$((PORT_BASE + 2))
start catalogdetail-v1 "$CD" /catalogDetail
start productcatalog "$PC" /products/ AGG_APP_URL="http://127.0.0.1:$CD/catalogDetail"
start frontend "$FE" / BASE_URL="http://127.0.0.1:$PC/products/"

echo "bench: JVM options: ${JVM_OPTS[*]}; $STARTS timed starts per service"
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
printf '\n%-18s %26s %26s %14s\n' "service" "spawn to first 200 ms" "Quarkus 'started in' ms" "RSS after MB"
for name in catalogdetail-v1 productcatalog frontend; do
  printf '%-18s %26s %26s %14s\n' "$name" "${STARTUP[$name]}" "$(started_in "$name")" "$(rss_mb "$name")"
done
echo "(startup: median of $STARTS starts, min-max in brackets)"
printf '\noriginal stack (reference): catalogdetail %s req/s p99 %s ms; full chain %s req/s p99 %s ms; startup ~0.6 s; RSS 50-180 MB\n' \
  $REF_CATALOGDETAIL_RPS $REF_CATALOGDETAIL_P99 $REF_CHAIN_RPS $REF_CHAIN_P99
