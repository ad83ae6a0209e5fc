#!/usr/bin/env bash
# bench/mesh-overhead.sh — what the local mesh adds to the page: the same load on the page through
# the mesh (ingress gateway -> frontend -> its sidecar -> productcatalog -> its sidecar ->
# catalogdetail: three proxy hops) and direct (`./demo --no-mesh`: the same services calling each
# other), RUNS times, each run on sides started fresh. It prints every run and the median of the
# runs, with their spread.
#
# The native reference (NGINX=1, the default; NGINX=0 skips it): the same three hops through
# nginx, an event-driven proxy in C as Envoy is in C++, so the mesh's cost can be told apart from
# what any proxy costs on this machine. The services start as ./demo starts them, each calling the
# next through nginx (frontend's BASE_URL and productcatalog's AGG_APP_URL point at nginx's
# listeners; the ingress is a third), with 2 worker processes (Istio's default concurrency for a
# sidecar), keep-alive upstreams, least_conn over both catalogdetail versions (the mesh's default
# is LEAST_REQUEST), and an access log. Their warm-up stands in for ./demo's: wrk with 10
# connections for NGINX_WARMUP s before the measured side's own WARMUP.
#
# In a run the sides run side by side, each at its own port offset (OFFSET, +300, +600), one
# loaded at a time, the others idle. Throughput: each side warmed with wrk -t2 -c10 for WARMUP s,
# then DURATION s measured in SLICES slices taken in turn (direct, nginx, mesh, direct, ...), so
# that the machine's drift over the minutes (this VM's speed moves by a quarter within an hour)
# falls on every side alike; a side's req/s is the mean of its slices. Over the same slices, where
# a page's CPU goes: the µs of CPU per page of each side's proxies, services and wrk (from /proc
# and bash's `times`), and the machine's idle share, printed as medians after the runs. Latency: ./loadtest's open
# model at RATE requests/s for DURATION s on each side (latency from the intended send time, so no
# coordinated omission), after a warm-up at the same rate; the added p50 and p99 are divided by the
# three hops. The default 1000 req/s keeps every process busy and warm, yet well below what either
# serves; at a few hundred req/s this VM's idle wake-ups dominate both sides.
# The traffic view's cost: on the same mesh, VIEW_ROUNDS rounds of wrk without the view, then
# with it open (headless Chromium on the page when installed, else a reader of its event
# stream), measured once the view is live and the browser's start-up is over (VIEW_SETTLE,
# VIEW_QUIET); the ratio is the sum with over the sum without (VIEW=0 skips it).
# Targets: at most 0.3 ms added to p50 per hop (Envoy adds about 0.2 ms), at least 0.5 x the
# direct throughput, and at most 5% less throughput with the traffic view open. The last line is
# the verdict, naming the targets: met or MISSED. Ratios are cut, not rounded, to three decimals
# (bench/lib.sh's ratio3): 0.4996 prints 0.499, and misses 0.5.
#
#   bench/mesh-overhead.sh
#   WARMUP=60 DURATION=30 RATE=500 RUNS=5 bench/mesh-overhead.sh
#   NGINX=0 VIEW=0 bench/mesh-overhead.sh   # direct and mesh only
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-10}
RUNS=${RUNS:-3}
SLICES=${SLICES:-4}
HOPS=3
TARGET_P50_PER_HOP_MS=0.3
TARGET_THROUGHPUT_RATIO=0.5
VIEW=${VIEW:-1}
NGINX=${NGINX:-1}
NGINX_WARMUP=${NGINX_WARMUP:-40}
VIEW_ROUNDS=${VIEW_ROUNDS:-3}
VIEW_SETTLE=${VIEW_SETTLE:-60}
VIEW_QUIET=${VIEW_QUIET:-0.1}
TARGET_VIEW_RATIO=0.95

source bench/lib.sh
((DURATION / SLICES >= 1)) || die "DURATION ($DURATION s) must give each of the SLICES ($SLICES) a second at least"
SLICE=$((DURATION / SLICES))
# Each side's port offset: apart by 300, a distance between no two of the ports a side uses
# (3000, 3001, 5000, 8080, 9000, 15000-15004, nginx's 15101 and 15102).
DIRECT_OFFSET=$OFFSET NGINX_OFFSET=$((OFFSET + 300)) MESH_OFFSET=$((OFFSET + 600))
need_wrk
build_if_missing
if [[ $NGINX == 1 ]]; then need nginx nginx-light; fi

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
NGINX_DIR=$PWD/bench/results/nginx
NGINX_PIDS=()
# start_nginx_side: our services wired through nginx (see the top), ready and warmed up; the page
# at the ingress, 8080 + NGINX_OFFSET. Logs under bench/results/nginx/.
start_nginx_side() {
  local ingress=$((8080 + NGINX_OFFSET)) to_pc=$((15101 + NGINX_OFFSET)) to_cd=$((15102 + NGINX_OFFSET))
  local cd1=$((3000 + NGINX_OFFSET)) cd2=$((3001 + NGINX_OFFSET)) pc=$((5000 + NGINX_OFFSET)) fe=$((9000 + NGINX_OFFSET))
  rm -rf "$NGINX_DIR" && mkdir -p "$NGINX_DIR/tmp"
  cat > "$NGINX_DIR/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log;
events { worker_connections 4096; }
http {
  access_log $NGINX_DIR/access.log combined buffer=64k;
  client_body_temp_path $NGINX_DIR/tmp/body;
  proxy_temp_path $NGINX_DIR/tmp/proxy;
  fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
  uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
  scgi_temp_path $NGINX_DIR/tmp/scgi;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  upstream frontend { server 127.0.0.1:$fe; keepalive 64; }
  upstream productcatalog { server 127.0.0.1:$pc; keepalive 64; }
  upstream catalogdetail { least_conn; server 127.0.0.1:$cd1; server 127.0.0.1:$cd2; keepalive 64; }
  server { listen 127.0.0.1:$ingress; location / { proxy_pass http://frontend; } }
  server { listen 127.0.0.1:$to_pc; location / { proxy_pass http://productcatalog; } }
  server { listen 127.0.0.1:$to_cd; location / { proxy_pass http://catalogdetail; } }
}
CONF
  nginx -c "$NGINX_DIR/nginx.conf" > "$NGINX_DIR/nginx.out" 2>&1 &
  NGINX_PIDS+=($!)
  nginx_service catalogdetail-v1 "$cd1"
  nginx_service catalogdetail-v2 "$cd2"
  nginx_service productcatalog "$pc" AGG_APP_URL="http://127.0.0.1:$to_cd/catalogDetail"
  nginx_service frontend "$fe" BASE_URL="http://127.0.0.1:$to_pc/products/"
  local port i
  for port in "$cd1" "$cd2" "$pc" "$fe"; do
    for ((i = 0; i < 240; i++)); do
      curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready" && break
      ((i < 239)) || die "the service on port $port is not ready after 120 s; see $NGINX_DIR/"
      sleep 0.5
    done
  done
  local page; page=$(curl -s -i "http://127.0.0.1:$ingress/")
  [[ ${page,,} == *"x-catalogdetail-version: "* && $page == HTTP/1.1\ 200* ]] \
    || die "the page through nginx does not carry catalogdetail's answer; see $NGINX_DIR/"
  wrk -t2 -c10 -d"${NGINX_WARMUP}s" "http://127.0.0.1:$ingress/" > /dev/null
}
# nginx_service MODULE PORT [ENV=VALUE ...]: one of our services, as ./demo runs it (two glibc
# malloc arenas unless MALLOC_ARENA_MAX is set).
nginx_service() {
  local module=$1 port=$2; shift 2
  service_command "$PWD/$module/target/quarkus-app" "$port"
  (cd "$module/target/quarkus-app" && MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} exec env "$@" "${SERVICE_CMD[@]}") > "$NGINX_DIR/$module.log" 2>&1 &
  NGINX_PIDS+=($!)
}
# stop_nginx_side: stops nginx and the services, and waits until their ports are free for the
# next run.
stop_nginx_side() {
  local pid port i
  ((${#NGINX_PIDS[@]})) || return 0
  for pid in "${NGINX_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${NGINX_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NGINX_PIDS=()
  for port in 8080 15101 15102 3000 3001 5000 9000; do
    for ((i = 0; i < 300; i++)); do
      (: < "/dev/tcp/127.0.0.1/$((port + NGINX_OFFSET))") 2>/dev/null || continue 2
      sleep 0.1
    done
    die "port $((port + NGINX_OFFSET)) is still held after the nginx side stopped: $(ss -ltnp "sport = :$((port + NGINX_OFFSET))" | tail -n +2)"
  done
}
stop_all() {
  stop_viewer
  stop_demo
  stop_nginx_side
}
trap stop_all EXIT
# Ctrl-C and kill end the script (the EXIT trap then stops what it started).
trap 'exit 130' INT
trap 'exit 143' TERM

# wrk_rps URL: req/s of one measured wrk run, after 3 s not counted.
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
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$PROFILE" --remote-debugging-port=0 "$1" > bench/results/mesh-overhead-viewer.log 2>&1 &
  else
    VIEWER="curl reading /traffic/events"
    curl -sN "${1}traffic/events" > /dev/null &
  fi
  VIEWER_PID=$!
}
# viewer_ticks: the CPU time (clock ticks) the viewer's processes have used so far.
viewer_ticks() {
  if [[ $VIEWER == headless* ]]; then
    proc_ticks $(pgrep -f "user-data-dir=$PROFILE" || true)
  else
    proc_ticks "$VIEWER_PID"
  fi
}
# settle_viewer PORT: waits until the view is live (an established connection to the admin PORT:
# the page's event stream) and the viewer's start-up is over (at most VIEW_QUIET of a core in each
# of two seconds in a row; Chromium's first seconds take both cores), at most VIEW_SETTLE s. The
# cost measured is then that of an open view, not of a browser starting. Sets SETTLED (seconds).
settle_viewer() {
  local port=$1 quiet=0 before after limit
  limit=$(awk -v q="$VIEW_QUIET" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%d", q * t }')
  for ((SETTLED = 1; SETTLED <= VIEW_SETTLE; SETTLED++)); do
    before=$(viewer_ticks); sleep 1; after=$(viewer_ticks)
    if [[ -n $(ss -Htn state established "dport = :$port") ]] && ((after - before <= limit)); then
      ((++quiet < 2)) || return 0
    else
      quiet=0
    fi
  done
  die "the traffic view ($VIEWER) was not live and quiet within $VIEW_SETTLE s; see bench/results/mesh-overhead-viewer.log"
}

declare -A URL RPS P50 P99
# warm KEY: WARMUP s of wrk on the side's page, not measured.
warm() {
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "${URL[$1]}" > /dev/null
}
declare -A LAUNCHER CPU COST
# side_pids KEY ROLE: a side's processes in ROLE, proxies or services, looked up now (nginx's
# workers are its master's children; ./demo's services the launcher's).
side_pids() {
  case $1:$2 in
    direct:services) echo "${LAUNCHER[direct]}"; pgrep -P "${LAUNCHER[direct]}" || true ;;
    mesh:proxies) echo "${LAUNCHER[mesh]}" ;;
    mesh:services) pgrep -P "${LAUNCHER[mesh]}" || true ;;
    nginx:proxies) echo "${NGINX_PIDS[0]}"; pgrep -P "${NGINX_PIDS[0]}" || true ;;
    nginx:services) echo "${NGINX_PIDS[@]:1}" ;;
  esac
}
# machine_ticks: the machine's idle and total clock ticks so far (all cores), from /proc/stat.
machine_ticks() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }
# throughput KEYS...: sets RPS[KEY] for each side, the mean req/s of SLICES wrk runs of SLICE s,
# the sides taken in turn. Over the same slices, where a page's CPU goes on each side: appends to
# COST[KEY:proxies], COST[KEY:services], COST[KEY:load] and COST[KEY:total] the µs of CPU per
# page of the side's proxies (the mesh's JVM, nginx's processes), its services (with direct's idle
# launcher), wrk, and the three together; to COST[KEY:idle] the machine's idle share (%) while the
# side was loaded.
throughput() {
  local key slice out p0 s0 i0 a0 p1 s1 i1 a1 hz pages proxies services load total idle
  declare -A sum=()
  hz=$(getconf CLK_TCK)
  for key in "$@"; do
    : > "bench/results/mesh-overhead-wrk-$key.txt"
    sum[$key]=0 CPU[$key:proxies]=0 CPU[$key:services]=0 CPU[$key:load]=0 CPU[$key:pages]=0 CPU[$key:idle]=0 CPU[$key:all]=0
  done
  for ((slice = 1; slice <= SLICES; slice++)); do
    for key in "$@"; do
      p0=$(proc_ticks $(side_pids "$key" proxies)) s0=$(proc_ticks $(side_pids "$key" services))
      read -r i0 a0 < <(machine_ticks)
      # bash's `times` after wrk: its last line is the CPU time of this subshell's children, wrk.
      out=$({ wrk -t2 -c"$CONNECTIONS" -d"${SLICE}s" "${URL[$key]}"; times; })
      read -r i1 a1 < <(machine_ticks)
      p1=$(proc_ticks $(side_pids "$key" proxies)) s1=$(proc_ticks $(side_pids "$key" services))
      echo "$out" >> "bench/results/mesh-overhead-wrk-$key.txt"
      sum[$key]=$(awk -v s="${sum[$key]}" '/^Requests\/sec:/ {printf "%.3f", s + $2}' <<< "$out")
      CPU[$key:proxies]=$((CPU[$key:proxies] + p1 - p0)) CPU[$key:services]=$((CPU[$key:services] + s1 - s0))
      CPU[$key:idle]=$((CPU[$key:idle] + i1 - i0)) CPU[$key:all]=$((CPU[$key:all] + a1 - a0))
      pages=$(awk '/ requests in / { print $1 }' <<< "$out")
      [[ $pages =~ ^[0-9]+$ ]] || die "wrk on ${URL[$key]} printed no request count; see bench/results/mesh-overhead-wrk-$key.txt"
      CPU[$key:pages]=$((CPU[$key:pages] + pages))
      CPU[$key:load]=$(tail -n 1 <<< "$out" | awk -v t="${CPU[$key:load]}" -F '[ ms]+' '{ printf "%.3f", t + 60 * ($1 + $3) + $2 + $4 }')
    done
  done
  for key in "$@"; do
    RPS[$key]=$(awk -v s="${sum[$key]}" -v n="$SLICES" 'BEGIN {printf "%.0f", s / n}')
    read -r proxies services load total idle < <(awk -v p="${CPU[$key:proxies]}" -v s="${CPU[$key:services]}" \
      -v l="${CPU[$key:load]}" -v n="${CPU[$key:pages]}" -v hz="$hz" -v i="${CPU[$key:idle]}" -v a="${CPU[$key:all]}" \
      'BEGIN { printf "%.0f %.0f %.0f %.0f %.0f\n", p / hz * 1e6 / n, s / hz * 1e6 / n, l * 1e6 / n, ((p + s) / hz + l) * 1e6 / n, 100 * i / a }')
    COST[$key:proxies]+=" $proxies" COST[$key:services]+=" $services" COST[$key:load]+=" $load" COST[$key:total]+=" $total" COST[$key:idle]+=" $idle"
  done
}
# latency KEY: sets P50[KEY], P99[KEY] (ms) from ./loadtest's open model on the side's page.
latency() {
  local key=$1
  ./loadtest "${URL[$key]}" --rate "${RATE}/s" --duration "${DURATION}s" --warmup "${WARMUP}s" -q \
    --json "bench/results/mesh-overhead-$key.json" > /dev/null
  read -r P50[$key] P99[$key] < <(python3 -c '
import json, sys
latency = json.load(open(sys.argv[1]))["report"]["latency"]
print(latency["p50Ms"], latency["p99Ms"])' "bench/results/mesh-overhead-$key.json")
}

URL[direct]="http://127.0.0.1:$((9000 + DIRECT_OFFSET))/"
URL[nginx]="http://127.0.0.1:$((8080 + NGINX_OFFSET))/"
URL[mesh]="http://127.0.0.1:$((8080 + MESH_OFFSET))/"
sides=(direct mesh)
names="direct and mesh"
if [[ $NGINX == 1 ]]; then
  sides=(direct nginx mesh)
  names="direct, nginx (${NGINX_WARMUP}s more warm-up; $(nginx -v 2>&1 | sed 's/.*: //')) and mesh"
fi
echo "bench: $RUNS runs of $names side by side; wrk -t2 -c$CONNECTIONS ${WARMUP}s warm-up each, then $SLICES slices of ${SLICE}s on each in turn; latency at ${RATE} req/s for ${DURATION}s; $(nproc) cores, $(java -version 2>&1 | head -1)"
ratios=() p50_hops=() p99_hops=() nginx_ratios=() nginx_p50_hops=() mesh_nginx=()
printf '\n%-5s %12s %12s %8s %18s %18s %14s' run "direct req/s" "mesh req/s" ratio "p50 ms direct/mesh" "p99 ms direct/mesh" "p50 added/hop"
if [[ $NGINX == 1 ]]; then printf ' %12s %12s %14s %12s' "nginx req/s" "nginx/direct" "nginx p50/hop" "mesh/nginx"; fi
echo
for ((run = 1; run <= RUNS; run++)); do
  # Started one after another (each warms up while the others idle), then each warmed with wrk.
  start_demo bench/results/mesh-overhead-direct.log --no-mesh --port-offset "$DIRECT_OFFSET"
  LAUNCHER[direct]=$DEMO_PID
  if [[ $NGINX == 1 ]]; then start_nginx_side; fi
  start_demo bench/results/mesh-overhead-mesh.log --port-offset "$MESH_OFFSET"
  LAUNCHER[mesh]=$DEMO_PID
  for side in "${sides[@]}"; do warm "$side"; done
  throughput "${sides[@]}"
  for side in "${sides[@]}"; do latency "$side"; done
  if [[ $VIEW == 1 && $run == "$RUNS" ]]; then
    # On the last mesh: rounds alternate without and with the view, so drift over the minutes hits both alike.
    without=0 with=0 rounds="" settled=""
    for ((round = 1; round <= VIEW_ROUNDS; round++)); do
      a=$(wrk_rps "${URL[mesh]}")
      open_view "http://127.0.0.1:$((15000 + MESH_OFFSET))/"
      settle_viewer $((15000 + MESH_OFFSET))
      b=$(wrk_rps "${URL[mesh]}")
      stop_viewer
      without=$((without + a)) with=$((with + b)) rounds="$rounds $a/$b" settled="$settled ${SETTLED}s"
    done
  fi
  stop_demo
  stop_nginx_side
  ratio=$(ratio3 "${RPS[mesh]}" "${RPS[direct]}")
  p50_hop=$(awk -v m="${P50[mesh]}" -v d="${P50[direct]}" -v h=$HOPS 'BEGIN { printf "%.3f", (m - d) / h }')
  p99_hop=$(awk -v m="${P99[mesh]}" -v d="${P99[direct]}" -v h=$HOPS 'BEGIN { printf "%.3f", (m - d) / h }')
  ratios+=("$ratio") p50_hops+=("$p50_hop") p99_hops+=("$p99_hop")
  printf '%-5s %12s %12s %8s %18s %18s %14s' "$run" "${RPS[direct]}" "${RPS[mesh]}" "$ratio" \
    "${P50[direct]}/${P50[mesh]}" "${P99[direct]}/${P99[mesh]}" "$p50_hop"
  if [[ $NGINX == 1 ]]; then
    nginx_ratio=$(ratio3 "${RPS[nginx]}" "${RPS[direct]}")
    nginx_p50_hop=$(awk -v n="${P50[nginx]}" -v d="${P50[direct]}" -v h=$HOPS 'BEGIN { printf "%.3f", (n - d) / h }')
    ratio_to_nginx=$(ratio3 "${RPS[mesh]}" "${RPS[nginx]}")
    nginx_ratios+=("$nginx_ratio") nginx_p50_hops+=("$nginx_p50_hop") mesh_nginx+=("$ratio_to_nginx")
    printf ' %12s %12s %14s %12s' "${RPS[nginx]}" "$nginx_ratio" "$nginx_p50_hop" "$ratio_to_nginx"
  fi
  echo
done

ratio=$(median "${ratios[@]}")
p50_hop=$(median "${p50_hops[@]}")
p99_hop=$(median "${p99_hops[@]}")
printf '\nmedian of %d runs: throughput mesh/direct %s (runs %s); added per proxy hop (%d hops): p50 %s ms (runs %s), p99 %s ms\n' \
  "$RUNS" "$ratio" "$(spread "${ratios[@]}")" $HOPS "$p50_hop" "$(spread "${p50_hops[@]}")" "$p99_hop"
if [[ $NGINX == 1 ]]; then
  printf 'nginx on the same hops: throughput nginx/direct %s (runs %s), added p50 per hop %s ms (runs %s); mesh/nginx %s (runs %s)\n' \
    "$(median "${nginx_ratios[@]}")" "$(spread "${nginx_ratios[@]}")" "$(median "${nginx_p50_hops[@]}")" \
    "$(spread "${nginx_p50_hops[@]}")" "$(median "${mesh_nginx[@]}")" "$(spread "${mesh_nginx[@]}")"
fi
printf "where a page's CPU goes: µs of CPU per page, median of the runs (spread), and the machine's idle share while the side was loaded\n"
printf '%-7s %16s %16s %16s %16s %16s\n' side proxies services "load (wrk)" total "idle %"
for side in "${sides[@]}"; do
  printf '%-7s' "$side"
  for role in proxies services load total idle; do
    # shellcheck disable=SC2086 # the runs' figures, one word each
    if [[ $side:$role == direct:proxies ]]; then printf ' %16s' -; else printf ' %16s' "$(median ${COST[$side:$role]}) ($(spread ${COST[$side:$role]}))"; fi
  done
  echo
done
view_verdict=
if [[ $VIEW == 1 ]]; then
  view_ratio=$(ratio3 "$with" "$without")
  printf 'traffic view (%s, live and quiet after%s): mesh req/s without/with, per round:%s; with/without %s\n' \
    "$VIEWER" "$settled" "$rounds" "$view_ratio"
  view_verdict="; with the traffic view open $view_ratio (target >= $TARGET_VIEW_RATIO) $(met "$view_ratio >= $TARGET_VIEW_RATIO")"
fi
echo "verdict (median of $RUNS runs): added p50 per hop $p50_hop ms (target <= $TARGET_P50_PER_HOP_MS ms) $(met "$p50_hop <= $TARGET_P50_PER_HOP_MS");" \
  "throughput ratio $ratio (target >= $TARGET_THROUGHPUT_RATIO) $(met "$ratio >= $TARGET_THROUGHPUT_RATIO")$view_verdict"
