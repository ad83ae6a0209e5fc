# bench/lib.sh — what the bench scripts share; sourced, not run. The caller has cd'd to the
# repository's root.

# OFFSET: the port offset ./demo runs at (11000 unless set). Every port then stays clear of
# ./demo's own defaults (3000-15004) and below Linux's ephemeral range (32768-60999 here), where an
# outgoing connection may hold a port at the moment a service binds it: with 24000, frontend's
# 33000 was taken that way and ./demo stopped ("Address already in use").
OFFSET=${OFFSET:-11000}

die() { echo "bench: $*" >&2; exit 1; }

# need COMMAND PACKAGE: COMMAND, installed from Debian's PACKAGE when run as root.
need() {
  command -v "$1" >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "bench: installing $1 (apt-get install $2)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    die "missing: apt-get install $2"
  fi
}
need_wrk() { need wrk wrk; }

# build_if_missing: the launcher and the load generator, built when either is missing.
build_if_missing() {
  [[ -f local-mesh/target/local-mesh.jar && -f load-test/target/load-test.jar ]] \
    || { echo "bench: building"; ./mvnw -B -q -ntp package -DskipTests; }
}

DEMO_PID= DEMO_PIDS=()
# start_demo LOG ARGS...: ./demo's launcher in the background; returns once it printed "demo: ready".
# DEMO_PID is the launcher just started; several may run at once, each at its own --port-offset.
# LAUNCHER_JAR, when set, is the launcher to run instead of this tree's (the services stay this tree's).
start_demo() {
  local log=$1; shift
  : > "$log"
  java -Dproductapp.root="$PWD" -jar "${LAUNCHER_JAR:-local-mesh/target/local-mesh.jar}" "$@" > "$log" 2>&1 &
  DEMO_PID=$!
  DEMO_PIDS+=("$DEMO_PID")
  local line
  while IFS= read -r -t 180 line; do
    [[ $line == "demo: ready"* ]] && return 0
  done < <(tail -n +1 -f "$log" --pid "$DEMO_PID")
  die "./demo $* did not get ready; see $log"
}

# stop_demo: stops every launcher started (each stops every process it started) and waits for them.
stop_demo() {
  local pid
  for pid in "${DEMO_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${DEMO_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  DEMO_PID= DEMO_PIDS=()
}

# service_jvm_options: sets JVM_OPTS to the options ./demo gives our services, one a line in
# local-mesh/service-jvm.options (# comments).
service_jvm_options() { mapfile -t JVM_OPTS < <(grep -v '^\s*#' local-mesh/service-jvm.options | grep -v '^\s*$'); }

# service_command APP PORT: sets SERVICE_CMD to the command ./demo runs one of our services with
# (ServiceProcess.command), from its quarkus-app/ directory APP: those options, and the
# class-data-sharing archive the build made there.
service_command() {
  local app=$1 port=$2
  service_jvm_options
  SERVICE_CMD=(java "${JVM_OPTS[@]}")
  if [[ -f $app/app-cds.jsa ]]; then SERVICE_CMD+=(-XX:SharedArchiveFile=app-cds.jsa); fi
  SERVICE_CMD+=(-Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -Dquarkus.banner.enabled=false -jar quarkus-run.jar)
}

# proc_ticks PIDS...: the CPU time (clock ticks, user and system) the processes PIDS have used so
# far; one that is gone counts nothing.
proc_ticks() {
  local pid stat total=0
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2> /dev/null) || continue
    read -r -a stat <<< "${stat##*) }" # the fields after the command's name, from the state on
    total=$((total + stat[11] + stat[12])) # utime and stime
  done
  echo "$total"
}

# median VALUES...: the middle one (the lower middle of an even count); spread: min-max.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
# ratio3 A B: A / B cut (not rounded) to three decimals, so that a ratio printed as meeting a lower
# bound does: 0.4996 prints 0.499.
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", int(1000 * a / b) / 1000 }'; }
# met CONDITION: "met" when the awk condition holds, else "MISSED".
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
