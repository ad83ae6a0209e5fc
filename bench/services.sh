#!/usr/bin/env bash
# bench/services.sh — throughput, latency, startup and memory of the packaged services (JVM mode),
# against a reference stack on the original's frameworks, measured in the same invocation.
#
# Ours: catalogdetail-v1, productcatalog and frontend started one after another on 127.0.0.1, as
# ./demo does (JVM options from local-mesh/service-jvm.options, the build's app-cds.jsa).
# Reference: bench/reference/, the same three services on the original's stack (Express 4
# catalogdetail and frontend on Node.js, Flask productcatalog on Werkzeug's threaded server,
# requests and axios for the calls), run the same way right after ours. COMPARE=DIR also measures
# another build of this project (a checkout of another commit, packaged with ./mvnw package) the
# same way, right after ours, and prints it side by side. Each service is started
# STARTS times (default 3) and timed from process spawn to its first 200; the median is
# reported with the range (and Quarkus' own "started in" for ours). The probe that waits for the
# 200 is bash's /dev/tcp: it forks no process, so the waiting costs the starting process no CPU.
# Then, for each target, wrk -t2 -c10: a 5 s warm-up, then 20 s measured. Prints req/s, p50,
# p99, startup-to-first-200 and RSS after load, the ratio ours/reference of this run, and the
# targets with whether this run met them. wrk shares the 2 cores with the services, and this
# VM's speed moves with its neighbours: the ratio to the reference of the same run is the figure
# that carries from one run, or machine, to another.
#
#   bench/services.sh                 # defaults: 20 s measured, 5 s warm-up, 3 starts each
#   DURATION=60 WARMUP=10 STARTS=5 bench/services.sh
#   REFERENCE=0 bench/services.sh     # ours only (no Node.js/Flask needed)
#   WARMUP=40 COMPARE=/tmp/other-checkout bench/services.sh   # steady state, this build and another
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-10}
STARTS=${STARTS:-3}
PORT_BASE=${PORT_BASE:-23000}
REFERENCE=${REFERENCE:-1}
COMPARE=${COMPARE:-}

# The original stack (Node catalogdetail, Flask productcatalog, Node frontend) as recorded on the
# same kind of 2-core machine, and the targets set from it: catalogdetail 5x, the full chain 20x.
# At steady state (WARMUP=40) the full chain's target is 30x the reference of the same run.
REC_CATALOGDETAIL_RPS=3786; REC_CATALOGDETAIL_P99=8.1
REC_CHAIN_RPS=388;          REC_CHAIN_P99=52
TARGET_CATALOGDETAIL_RPS=19000; TARGET_CHAIN_RPS=7800; TARGET_CHAIN_P99=10
TARGET_STARTUP_MS=1000; TARGET_RSS_MB=150
TARGET_STEADY_CHAIN_X=30; STEADY_WARMUP=40

source bench/lib.sh
# apt_install PACKAGE...: installs Debian packages when run as root, else stops with the command.
apt_install() {
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing $* (apt-get install $*)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    die "missing: apt-get install $*  (or REFERENCE=0 for ours only)"
  fi
}
command -v wrk >/dev/null || apt_install wrk

for m in catalogdetail-v1 productcatalog frontend; do
  [[ -f $m/target/quarkus-app/quarkus-run.jar && -f $m/target/quarkus-app/app-cds.jsa ]] \
    || { echo "bench: building"; ./mvnw -B -q -ntp package -DskipTests; break; }
done
if [[ -n $COMPARE ]]; then
  for m in catalogdetail-v1 productcatalog frontend; do
    [[ -f $COMPARE/$m/target/quarkus-app/quarkus-run.jar ]] \
      || die "COMPARE=$COMPARE has no $m/target/quarkus-app/quarkus-run.jar: package it first (cd $COMPARE && ./mvnw package -DskipTests)"
  done
fi

# The reference's runtimes: Node.js with Express, EJS and axios from npm (bench/reference's
# package-lock.json), and a python3 that has Flask, flask-cors and requests.
PYTHON=
if ((REFERENCE)); then
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
  if [[ ! -d bench/reference/node_modules || bench/reference/package-lock.json -nt bench/reference/node_modules ]]; then
    echo "bench: installing the reference's npm packages (npm ci in bench/reference)"
    npm ci --prefix bench/reference --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
  fi
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null && "$py" -c 'import flask, flask_cors, requests' 2>/dev/null; then PYTHON=$py; break; fi
  done
  if [[ -z $PYTHON ]]; then
    apt_install python3-flask python3-flask-cors python3-requests
    PYTHON=/usr/bin/python3
  fi
fi

declare -A PID STARTUP_MS
cleanup() { for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# Ctrl-C and kill end the script (the EXIT trap then stops what it started).
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { date +%s%3N; }

# A pipe that nobody writes: `read -t` on it waits without forking a sleep.
exec {IDLE}<> <(:)
pause() { read -r -t "$1" -u "$IDLE" _ || true; }

# get PORT PATH: sets ANSWER to the whole answer (status line, headers, body) to GET PATH on
# 127.0.0.1:PORT, empty when nothing answers. Bash's /dev/tcp and builtins only: no process is
# forked, so waiting for a starting service costs it no CPU.
get() {
  local fd line
  ANSWER=
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  while IFS= read -r -t 5 line <&"$fd" || [[ -n $line ]]; do ANSWER+=$line$'\n'; line=; done
  exec {fd}<&-
}

# probe PORT PATH: sets STATUS to the status of GET PATH on 127.0.0.1:PORT, 000 when nothing answers.
probe() {
  get "$1" "$2"
  STATUS=000
  [[ $ANSWER =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]] && STATUS=${BASH_REMATCH[1]}
  return 0
}

# same_page PORT: the page at / on PORT carries catalogdetail's answer (its vendor, and its
# version in the x-catalogdetail-version header), so both stacks are measured doing the same work.
same_page() {
  get "$1" /
  [[ ${ANSWER,,} == *$'\nx-catalogdetail-version: 1\r\n'* && $ANSWER == *'<td>ABC.com</td>'* ]] \
    || die "the page on port $1 does not show catalogdetail v1's answer; it was:"$'\n'"${ANSWER:-(nothing answered)}"
}

# launch NAME PORT PATH LOG DIR COMMAND...: runs COMMAND in DIR with its output in LOG, waits for
# the first 200 of GET PATH; sets PID[NAME] and STARTUP_MS[NAME] (spawn to first 200).
launch() {
  local name=$1 port=$2 path=$3 log=$4 dir=$5; shift 5
  local t0; t0=$(now_ms)
  (cd "$dir" && exec "$@") > "$log" 2>&1 &
  PID[$name]=$!
  local deadline=$((t0 + 60000))
  while probe "$port" "$path"; [[ $STATUS != 200 ]]; do
    kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited; see $log"
    (( $(now_ms) < deadline )) || die "$name did not answer 200 within 60 s"
    pause 0.005   # measurement granularity of startup-to-first-200, not synchronisation
  done
  STARTUP_MS[$name]=$(( $(now_ms) - t0 ))
}

# start NAME PORT PATH DIR COMMAND...: STARTS timed starts, the last one left running, each
# logged to bench/results/NAME-N.log; sets STARTUP[NAME] to "median (min-max)".
declare -A STARTUP
start() {
  local name=$1 port=$2 path=$3 dir=$4 i spawn=(); shift 4
  for ((i = 1; i <= STARTS; i++)); do
    launch "$name" "$port" "$path" "bench/results/$name-$i.log" "$dir" "$@"
    spawn+=("${STARTUP_MS[$name]}")
    if ((i < STARTS)); then kill "${PID[$name]}"; wait "${PID[$name]}" 2>/dev/null || true; fi
  done
  STARTUP[$name]=$(summary "${spawn[@]}")
}
# start_service NAME APP PORT PATH [ENV=VALUE ...]: one of ours, as ./demo starts it: from its
# quarkus-app/ directory APP, with the class-data-sharing archive the build made.
start_service() {
  local name=$1 app=$2 port=$3 path=$4; shift 4
  service_command "$app" "$port"
  start "$name" "$port" "$path" "$app" env "$@" "${SERVICE_CMD[@]}"
}
# measure_build PREFIX ROOT: the three services of the build under ROOT, started and loaded;
# results under keys PREFIXcd and PREFIXchain, services under PREFIX<module>.
measure_build() {
  local prefix=$1 root=$2 name
  start_service "${prefix}catalogdetail-v1" "$root/catalogdetail-v1/target/quarkus-app" "$CD" /catalogDetail
  start_service "${prefix}productcatalog" "$root/productcatalog/target/quarkus-app" "$PC" /products/ \
    AGG_APP_URL="http://127.0.0.1:$CD/catalogDetail"
  start_service "${prefix}frontend" "$root/frontend/target/quarkus-app" "$FE" / BASE_URL="http://127.0.0.1:$PC/products/"
  same_page "$FE"
  load "${prefix}cd" "http://127.0.0.1:$CD/catalogDetail"
  load "${prefix}chain" "http://127.0.0.1:$FE/"
  for name in "${OURS[@]}"; do RSS[$prefix$name]=$(rss_mb "$prefix$name"); done
  stop_all
}
# stop_all: stops every running service before the other stack is measured.
stop_all() {
  local name
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; wait "${PID[$name]}" 2>/dev/null || true; done
  PID=()
}
summary() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%d (%d-%d)", v[int((NR+1)/2)], v[1], v[NR]}'; }
# Quarkus' own "started in" of NAME's starts, in ms, as "median (min-max)"; read after the load,
# when each log has its line (Quarkus prints it just after it starts listening).
started_in() {
  summary $(sed -n 's/.* started in \([0-9.]*\)s\..*/\1/p' bench/results/"$1"-[0-9]*.log | awk '{printf "%d\n", $1 * 1000}')
}

# load KEY URL: warm-up, then the measured run; sets RPS[KEY] P50[KEY] P99[KEY] (ms) NON2XX[KEY]
# ERRORS[KEY].
declare -A RPS P50 P99 NON2XX ERRORS RSS
load() {
  local key=$1 url=$2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" > /dev/null
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")
  echo "$out" > "bench/results/wrk-$key.txt"
  RPS[$key]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<< "$out")
  P50[$key]=$(to_ms "$(awk '$1=="50%" {print $2}' <<< "$out")")
  P99[$key]=$(to_ms "$(awk '$1=="99%" {print $2}' <<< "$out")")
  NON2XX[$key]=$(awk '/Non-2xx/ {print $NF}' <<< "$out"); NON2XX[$key]=${NON2XX[$key]:-0}
  ERRORS[$key]=$(awk '/Socket errors/ {print}' <<< "$out")
}

to_ms() { # wrk prints 1.23ms / 456.00us / 1.20s
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}
rss_mb() { awk '{printf "%.0f", $1/1024}' <<< "$(ps -o rss= -p "${PID[$1]}")"; }

mkdir -p bench/results && rm -f bench/results/*.log bench/results/wrk-*.txt
CD=$((PORT_BASE)); PC=$((PORT_BASE + 1)); FE=$((PORT_BASE + 2))
OURS=(catalogdetail-v1 productcatalog frontend)

# Ours. As ./demo runs them: two glibc malloc arenas per service (about 10 MB less RSS each),
# and the services' JVM options on one machine, shared with ./demo.
service_jvm_options
echo "bench: JVM options: ${JVM_OPTS[*]}; $STARTS timed starts per service"
echo "bench: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up + ${DURATION}s measured, $(nproc) cores, $(java -version 2>&1 | head -1)"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
measure_build "" "$PWD"
if [[ -n $COMPARE ]]; then
  echo "bench: compared build: $COMPARE ($(git -C "$COMPARE" log -1 --format='%h %s' 2>/dev/null || echo 'not a git checkout'))"
  measure_build cmp- "$COMPARE"
fi

# The reference, on the same ports, the same way.
REFS=()
if ((REFERENCE)); then
  echo "bench: reference: Node.js $(node --version) (Express $(node -p "require('./bench/reference/node_modules/express/package.json').version")), $("$PYTHON" --version 2>&1) (Flask $("$PYTHON" -c 'import importlib.metadata as m; print(m.version("flask"))'))"
  REFS=(ref-catalogdetail ref-productcatalog ref-frontend)
  start ref-catalogdetail "$CD" /catalogDetail bench/reference env PORT="$CD" node catalogdetail.js
  start ref-productcatalog "$PC" /products/ bench/reference env PORT="$PC" AGG_APP_URL="http://127.0.0.1:$CD/catalogDetail" \
    "$PYTHON" productcatalog.py
  start ref-frontend "$FE" / bench/reference env PORT="$FE" BASE_URL="http://127.0.0.1:$PC/products/" node frontend.js
  same_page "$FE"
  load ref-cd "http://127.0.0.1:$CD/catalogDetail"
  load ref-chain "http://127.0.0.1:$FE/"
  for name in "${REFS[@]}"; do RSS[$name]=$(rss_mb "$name"); done
  stop_all
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a/b }'; }
row() { # row LABEL KEY
  local ref="-" refp99="-" r="-"
  if ((REFERENCE)); then ref=${RPS[ref-${2#cmp-}]}; refp99=${P99[ref-${2#cmp-}]}; r=$(ratio "${RPS[$2]}" "$ref"); fi
  printf '%-28s %9s %8s %8s %8s | %9s %8s | %7s\n' "$1" "${RPS[$2]}" "${P50[$2]}" "${P99[$2]}" "${NON2XX[$2]}" "$ref" "$refp99" "$r"
}
printf '\n%-28s %9s %8s %8s %8s | %9s %8s | %7s\n' "target" "req/s" "p50 ms" "p99 ms" "non-2xx" "ref req/s" "p99 ms" "ratio"
row "catalogdetail /catalogDetail" cd
row "frontend / (full chain)" chain
if [[ -n $COMPARE ]]; then
  row "compared: catalogdetail" cmp-cd
  row "compared: full chain" cmp-chain
fi
for key in cd chain cmp-cd cmp-chain ref-cd ref-chain; do
  [[ -n ${ERRORS[$key]:-} ]] && echo "$key: ${ERRORS[$key]}"
done

printf '\n%-18s %22s %22s %8s | %22s %8s\n' "service" "spawn to first 200 ms" "Quarkus started in ms" "RSS MB" "reference first 200 ms" "RSS MB"
for i in 0 1 2; do
  name=${OURS[$i]} ref=${REFS[$i]:-}
  printf '%-18s %22s %22s %8s | %22s %8s\n' "$name" "${STARTUP[$name]}" "$(started_in "$name")" "${RSS[$name]}" \
    "${ref:+${STARTUP[$ref]}}" "${ref:+${RSS[$ref]}}"
done
if [[ -n $COMPARE ]]; then
  for name in "${OURS[@]}"; do
    printf '%-18s %22s %22s %8s\n' "compared: ${name#catalogdetail-}" "${STARTUP[cmp-$name]}" "$(started_in "cmp-$name")" "${RSS[cmp-$name]}"
  done
fi
echo "(startup: median of $STARTS starts, min-max in brackets; RSS after the load)"

# The targets, as absolute figures and as the ratios to the original that they stand for.
startup_max=0 rss_max=0
for name in "${OURS[@]}"; do
  m=${STARTUP[$name]%% *} # "median (min-max)"
  ((m > startup_max)) && startup_max=$m
  ((RSS[$name] > rss_max)) && rss_max=${RSS[$name]}
done
printf '\n%-60s %-32s %s\n' "target" "this run" "verdict"
printf '%-60s %-32s %s\n' "catalogdetail >= $TARGET_CATALOGDETAIL_RPS req/s" "${RPS[cd]} req/s" \
  "$(met "${RPS[cd]} >= $TARGET_CATALOGDETAIL_RPS")"
printf '%-60s %-32s %s\n' "full chain >= $TARGET_CHAIN_RPS req/s, p99 <= $TARGET_CHAIN_P99 ms" "${RPS[chain]} req/s, p99 ${P99[chain]} ms" \
  "$(met "${RPS[chain]} >= $TARGET_CHAIN_RPS && ${P99[chain]} <= $TARGET_CHAIN_P99")"
if ((REFERENCE)); then
  cd_x=$(awk -v t=$TARGET_CATALOGDETAIL_RPS -v r=$REC_CATALOGDETAIL_RPS 'BEGIN { printf "%.1f", t/r }')
  chain_x=$(awk -v t=$TARGET_CHAIN_RPS -v r=$REC_CHAIN_RPS 'BEGIN { printf "%.1f", t/r }')
  printf '%-60s %-32s %s\n' "  the same as a ratio: catalogdetail >= ${cd_x}x reference" "$(ratio "${RPS[cd]}" "${RPS[ref-cd]}")" \
    "$(met "${RPS[cd]} >= $cd_x * ${RPS[ref-cd]}")"
  printf '%-60s %-32s %s\n' "  the same as a ratio: full chain >= ${chain_x}x reference" "$(ratio "${RPS[chain]}" "${RPS[ref-chain]}")" \
    "$(met "${RPS[chain]} >= $chain_x * ${RPS[ref-chain]}")"
  if ((WARMUP >= STEADY_WARMUP)); then
    for key in chain ${COMPARE:+cmp-chain}; do
      printf '%-60s %-32s %s\n' "  steady state: ${key/cmp-/compared }, >= ${TARGET_STEADY_CHAIN_X}x reference, p99 <= $TARGET_CHAIN_P99 ms" \
        "$(ratio "${RPS[$key]}" "${RPS[ref-chain]}"), p99 ${P99[$key]} ms" \
        "$(met "${RPS[$key]} >= $TARGET_STEADY_CHAIN_X * ${RPS[ref-chain]} && ${P99[$key]} <= $TARGET_CHAIN_P99")"
    done
  fi
fi
printf '%-60s %-32s %s\n' "startup to first 200 <= $TARGET_STARTUP_MS ms (each median)" "slowest median $startup_max ms" \
  "$(met "$startup_max <= $TARGET_STARTUP_MS")"
printf '%-60s %-32s %s\n' "RSS after load <= $TARGET_RSS_MB MB per service" "largest $rss_max MB" "$(met "$rss_max <= $TARGET_RSS_MB")"
printf '\nthe original stack as recorded on the same kind of machine: catalogdetail %s req/s p99 %s ms; full chain %s req/s p99 %s ms; startup ~0.6 s; RSS 50-180 MB\n' \
  $REC_CATALOGDETAIL_RPS $REC_CATALOGDETAIL_P99 $REC_CHAIN_RPS $REC_CHAIN_P99
