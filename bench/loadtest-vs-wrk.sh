#!/usr/bin/env bash
# bench/loadtest-vs-wrk.sh — ./loadtest -b against wrk and siege -b, same target, same
# connections, same duration, in one invocation. Target: nginx serving a small static file on
# 127.0.0.1 (apt-get install nginx wrk siege; installed here when run as root).
#
#   bench/loadtest-vs-wrk.sh                  # 10 connections, 15 s each, 3 s warm-up
#   CONNECTIONS=50 DURATION=30 bench/loadtest-vs-wrk.sh
# Prints req/s of each and the ratios loadtest/wrk (target >= 0.7) and loadtest/siege (>= 3).
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
trap cleanup EXIT INT TERM
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
wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL" > /dev/null
WRK=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$URL" | awk '/^Requests\/sec:/ {print $2}')
LT_OUT=$(./loadtest "$URL" -b -c "$CONNECTIONS" --warmup "${WARMUP}s" -t "${DURATION}S" -q 2>/dev/null)
LT=$(awk '/^Transaction rate:/ {print $3}' <<< "$LT_OUT")
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

printf '\n%-28s %12s\n' tool req/s
printf '%-28s %12.0f\n' "wrk -t2 -c$CONNECTIONS" "$WRK"
printf '%-28s %12.0f\n' "./loadtest -b -c $CONNECTIONS" "$LT"
if [[ -n $SIEGE ]]; then
  printf '%-28s %12.0f\n' "siege -b -c $CONNECTIONS" "$SIEGE"
else
  printf '%-28s %12s  (did not finish within %ss: killed, exit %s)\n' "siege -b -c $CONNECTIONS" "-" "$SIEGE_LIMIT" "$SIEGE_STATUS"
fi
awk -v lt="$LT" -v wrk="$WRK" 'BEGIN { printf "\nloadtest / wrk   = %.2f  (target >= 0.70)\n", lt / wrk }'
if [[ -n $SIEGE ]]; then
  awk -v lt="$LT" -v siege="$SIEGE" 'BEGIN { printf "loadtest / siege = %.2f  (target >= 3.00)\n", lt / siege }'
else
  echo "loadtest / siege = n/a  (siege hung and was killed after ${SIEGE_LIMIT}s; run again for its figure)"
fi
