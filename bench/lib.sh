# bench/lib.sh — what the bench scripts share; sourced, not run. The caller has cd'd to the
# repository's root and set OFFSET (the port offset ./demo runs at).

die() { echo "bench: $*" >&2; exit 1; }

# need_wrk: wrk, installed from Debian when run as root.
need_wrk() {
  command -v wrk >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing wrk (apt-get install wrk)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    die "missing: apt-get install wrk"
  fi
}

# build_if_missing: the launcher and the load generator, built when either is missing.
build_if_missing() {
  [[ -f local-mesh/target/local-mesh.jar && -f load-test/target/load-test.jar ]] \
    || { echo "bench: building"; ./mvnw -B -q -ntp package -DskipTests; }
}

DEMO_PID=
# start_demo LOG ARGS...: ./demo's launcher in the background; returns once it printed "demo: ready".
start_demo() {
  local log=$1; shift
  : > "$log"
  java -Dproductapp.root="$PWD" -jar local-mesh/target/local-mesh.jar "$@" > "$log" 2>&1 &
  DEMO_PID=$!
  local line
  while IFS= read -r -t 180 line; do
    [[ $line == "demo: ready"* ]] && return 0
  done < <(tail -n +1 -f "$log" --pid "$DEMO_PID")
  die "./demo $* did not get ready; see $log"
}

# stop_demo: stops the launcher (it stops every process it started) and waits for it.
stop_demo() {
  if [[ -n $DEMO_PID ]]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
    DEMO_PID=
  fi
}

# median VALUES...: the middle one (the lower middle of an even count); spread: min-max.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
# met CONDITION: "met" when the awk condition holds, else "MISSED".
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
