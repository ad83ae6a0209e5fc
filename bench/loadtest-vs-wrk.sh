#!/usr/bin/env bash
# bench/loadtest-vs-wrk.sh — ./loadtest -b against wrk and siege -b, same target, same
# connections, same duration, in one invocation. Target: nginx serving a small static file on
# 127.0.0.1 (apt-get install nginx wrk siege; installed here when run as root).
#
#   bench/loadtest-vs-wrk.sh                  # 10 connections, 15 s each, 3 s warm-up, 3 rounds
#   CONNECTIONS=50 DURATION=30 ROUNDS=5 bench/loadtest-vs-wrk.sh
# wrk and ./loadtest run ROUNDS times, alternating (which goes first alternates too), so that
# this machine's drift within a run falls on both; prints each round's req/s and ratio, and the
# median ratio loadtest/wrk (target >= 0.7); then siege once: loadtest/siege (target >= 3).
# LOADTEST="java -jar /elsewhere/load-test.jar" measures another build (another commit) instead.
# siege hangs on some runs at -c 50 (its threads wait forever on a socket): each siege run is
# bounded by SIEGE_LIMIT seconds (default DURATION + 20), after which it is killed and the
# bench says so and goes on without siege's figure.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-10}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
SIEGE_LIMIT=${SIEGE_LIMIT:-$((DURATION + 20))}
PORT=${PORT:-18080}
die() { echo "bench: $*" >&2; exit 1; }

missing=()
for tool in nginx wrk siege; do
  command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || missing+=("$tool")
done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing: ${missing[*]} (apt-get install ${missing[*]})"
  echo "bench: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi
./loadtest --version > /dev/null   # builds it if needed

work=$(mktemp -d)
cleanup() { [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# Ctrl-C and kill end the script (the EXIT trap then stops what it started).
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/html" "$work/tmp"
printf '{"version":"1","vendors":["ABC.com"]}' > "$work/html/catalogDetail"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$PORT;
    location / { root $work/html; default_type application/json; add_header x-catalogdetail-version 1; }
  }
}
CONF
chmod -R a+rX "$work"   # nginx workers run as nobody
/usr/sbin/nginx -c "$work/nginx.conf" || die "nginx did not start (port $PORT taken?)"
URL=http://127.0.0.1:$PORT/catalogDetail
curl -sf -o /dev/null "$URL" || die "nginx does not answer $URL"

echo "bench: $URL, $CONNECTIONS connections, ${WARMUP}s warm-up + ${DURATION}s each, $(nproc) cores"
ROUNDS=${ROUNDS:-3}
LOADTEST=${LOADTEST:-./loadtest}
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL" > /dev/null
run_wrk() { wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$URL" | awk '/^Requests\/sec:/ {print $2}'; }
run_loadtest() {
  $LOADTEST "$URL" -b -c "$CONNECTIONS" --warmup "${WARMUP}s" -t "${DURATION}S" -q 2>/dev/null \
    | awk '/^Transaction rate:/ {print $3}'
}
printf '\n%-7s %12s %14s %8s\n' round "wrk req/s" "loadtest req/s" ratio
ratios=()
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then w=$(run_wrk); l=$(run_loadtest); else l=$(run_loadtest); w=$(run_wrk); fi
  [[ -n $w && -n $l ]] || die "round $round: no figure from wrk ('$w') or loadtest ('$l')"
  ratio=$(ratio3 "$l" "$w")
  ratios+=("$ratio")
  printf '%-7s %12.0f %14.0f %8s\n' "$round" "$w" "$l" "$ratio"
  WRK=$w LT=$l
done
MEDIAN=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
# siege_run SECONDS: one bounded siege run; prints its output, returns timeout's status (124: killed).
siege_run() {
  timeout -k 5 "$SIEGE_LIMIT" siege -b -c "$CONNECTIONS" -t "${1}S" "$URL" 2>&1
}
siege_run "$WARMUP" > /dev/null || true
SIEGE_STATUS=0
SIEGE_OUT=$(siege_run "$DURATION") || SIEGE_STATUS=$?
SIEGE=$(awk '/"transaction_rate"|Transaction rate/ {gsub(/[",]/, ""); print $2}' <<< "$SIEGE_OUT" | head -1)
# Killed at the limit, siege may still print a rate, over a run cut short: not its figure.
[[ $SIEGE_STATUS == 124 || $SIEGE_STATUS == 137 ]] && SIEGE=

printf '\n%-28s %12s\n' "tool (last round)" req/s
printf '%-28s %12.0f\n' "wrk -t2 -c$CONNECTIONS" "$WRK"
printf '%-28s %12.0f\n' "./loadtest -b -c $CONNECTIONS" "$LT"
if [[ -n $SIEGE ]]; then
  printf '%-28s %12.0f\n' "siege -b -c $CONNECTIONS" "$SIEGE"
else
  printf '%-28s %12s  (did not finish within %ss: killed, exit %s)\n' "siege -b -c $CONNECTIONS" "-" "$SIEGE_LIMIT" "$SIEGE_STATUS"
fi
echo
echo "loadtest / wrk   = $MEDIAN  (median of $ROUNDS rounds: ${ratios[*]}; target >= 0.70)"
if [[ -n $SIEGE ]]; then
  echo "loadtest / siege = $(ratio3 "$LT" "$SIEGE")  (target >= 3.00)"
else
  echo "loadtest / siege = n/a  (siege hung and was killed after ${SIEGE_LIMIT}s; run again for its figure)"
fi
