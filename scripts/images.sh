#!/usr/bin/env bash
# scripts/images.sh — the four service images and the load generator's, built with no registry
# and no Docker daemon.
#
#   scripts/images.sh            build target/images/<image>.tar (docker-archive) for each
#   scripts/images.sh --smoke    ...then load each tar into podman, run each service on 127.0.0.1,
#                                expect 200 from its ping path, run the load generator's image
#                                against catalogdetail-v1 as the loadtest chart runs it, expect its
#                                JSON line, and remove the containers
#   scripts/images.sh --smoke-only   smoke-test tars built earlier
#
# How: a Debian bookworm root filesystem with openjdk-17-jre-headless (debootstrap) is imported
# into podman and saved once as a docker-archive, cached in $PRODUCTAPP_IMAGE_CACHE (default
# ~/.cache/productapp). Jib (quarkus-container-image-jib) builds each service on it
# (quarkus.jib.base-jvm-image=tar://...) and loads the image into podman, from which it is saved
# as a docker-archive tar. The load generator (load-test, a plain Java program) is built by
# jib-maven-plugin on the same base, straight to a tar. Images run as UID 185. To push to a
# registry instead (ECR), see README.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVICES=(catalogdetail-v1 catalogdetail-v2 productcatalog frontend)
declare -A PING=([catalogdetail-v1]=/ping [catalogdetail-v2]=/ping [productcatalog]=/products/ping [frontend]=/ping)
CACHE=${PRODUCTAPP_IMAGE_CACHE:-$HOME/.cache/productapp}
BASE_TAR=$CACHE/base-jre17-bookworm.tar
BASE_IMAGE=localhost/productapp/base-jre17:bookworm
OUT=target/images
# podman on this kind of machine needs the runc runtime and explicit open-files and process limits
# (its defaults ask for more than the sandbox allows: "error setting rlimit type 6").
PODMAN_RUN=(--runtime runc --ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
# As the Helm chart runs them: read-only root with a writable /tmp, no capabilities, no privilege
# gain; the smoke test adds the chart's default memory limit and JVM options (values.yaml).
HARDENED=(--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)

die() { echo "images: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: apt-get install $2"; }

build=true; smoke=false
for arg in "$@"; do
  case $arg in
    --smoke) smoke=true ;;
    --smoke-only) smoke=true; build=false ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (use --smoke, --smoke-only or --help)" ;;
  esac
done

need podman "podman runc"
need runc "runc"
if $build && [[ ! -f $BASE_TAR ]]; then
  need debootstrap "debootstrap"
fi
version=$(./mvnw -q -N help:evaluate -Dexpression=project.version -DforceStdout 2>/dev/null) || die "cannot read the project version (./mvnw)"

base_image() {
  if [[ -f $BASE_TAR ]]; then
    echo "images: base image cached at $BASE_TAR"
    return
  fi
  need debootstrap "debootstrap"
  [[ $(id -u) == 0 ]] || die "making the base image needs root (debootstrap)"
  local work; work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  echo "images: making the base image once (debootstrap bookworm + openjdk-17-jre-headless; a few minutes)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
    bookworm "$work/rootfs" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  # What a runtime image does not need.
  rm -rf "$work"/rootfs/var/cache/apt/* "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/usr/share/doc/* \
         "$work"/rootfs/usr/share/man/* "$work"/rootfs/usr/share/locale/* "$work"/rootfs/var/log/*
  tar -C "$work/rootfs" -c . | podman import \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
    --change 'ENV LANG=C.UTF-8' \
    - "$BASE_IMAGE" > /dev/null
  mkdir -p "$CACHE"
  podman save --format docker-archive -o "$BASE_TAR.tmp" "$BASE_IMAGE" > /dev/null
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  echo "images: base image saved to $BASE_TAR ($(du -m "$BASE_TAR" | cut -f1) MB)"
}

# prune_ours: drops this project's images that a newer build or load left untagged (podman keeps
# them, with about 25 MB of layers of their own each): the untagged images whose names history
# holds localhost/productapp/. Images in use by a container stay.
prune_ours() {
  local id history dropped=0
  while read -r id; do
    history=$(podman image inspect --format '{{.NamesHistory}}' "$id" 2>/dev/null) || continue
    if [[ $history == *localhost/productapp/* ]] && podman rmi "$id" > /dev/null 2>&1; then
      dropped=$((dropped + 1))
    fi
  done < <(podman images -q --no-trunc --filter dangling=true)
  ((dropped == 0)) || echo "images: removed $dropped untagged productapp images left by earlier builds"
}

if $build; then
  base_image
  modules=$(IFS=,; echo "${SERVICES[*]}")
  echo "images: building ${SERVICES[*]} with Jib on the local base image"
  # -am: the modules they depend on (catalogdetail-core, downstream) come from this build.
  ./mvnw -B -q -ntp package -DskipTests -pl "$modules" -am \
    -Dquarkus.container-image.build=true -Dquarkus.jib.docker-executable-name=podman \
    -Dappcds.skip=true -Dquarkus.package.jar.type=fast-jar \
    -Dquarkus.jib.base-jvm-image="tar://$(realpath "$BASE_TAR")" \
    || die "the Jib build failed (output above)"
  mkdir -p "$OUT"
  echo "images: building loadtest with Jib on the local base image"
  ./mvnw -B -q -ntp package jib:buildTar -DskipTests -pl load-test \
    -Djib.from.image="tar://$(realpath "$BASE_TAR")" -Djib.outputPaths.tar="$(pwd)/$OUT/loadtest.tar" \
    || die "the Jib build of loadtest failed (output above)"
  for s in "${SERVICES[@]}"; do
    rm -f "$OUT/$s.tar"   # podman will not overwrite a docker-archive
    podman save --format docker-archive -o "$OUT/$s.tar" "productapp/$s:$version" > /dev/null
  done
  prune_ours
fi

printf '\n%-45s %8s\n' image "tar MB"
for s in "${SERVICES[@]}" loadtest; do
  [[ -f $OUT/$s.tar ]] || die "$OUT/$s.tar is missing: run scripts/images.sh first"
  printf '%-45s %8s\n' "productapp/$s:$version" "$(du -m "$OUT/$s.tar" | cut -f1)"
done

$smoke || exit 0

CHART_VALUES=helm/productapp/values.yaml
CHART_JVM_OPTIONS=$(sed -n 's/^jvmOptions: *"\(.*\)"$/\1/p' "$CHART_VALUES")
CHART_MEMORY_LIMIT=$(sed -n 's/.*limits: *{memory: *\([0-9]*\)Mi}.*/\1/p' "$CHART_VALUES" | sort -u)
[[ -n $CHART_JVM_OPTIONS && $CHART_MEMORY_LIMIT =~ ^[0-9]+$ ]] \
  || die "cannot read jvmOptions and one memory limit from $CHART_VALUES"
AS_CHART=(--memory "${CHART_MEMORY_LIMIT}m" -e JAVA_TOOL_OPTIONS="$CHART_JVM_OPTIONS")

now_ms() { date +%s%3N; }

# smoke_loadtest URL: the load generator's image, hardened and with the chart's default memory
# limit, run as one worker of the loadtest chart's Job is (-q --json -, a start instant, its share
# of the users): its standard output must be exactly one JSON report of 2 workers' half: 20 requests.
smoke_loadtest() {
  local image=productapp/loadtest:$version out
  podman rmi -f "$image" > /dev/null 2>&1 || true
  podman load -q -i "$OUT/loadtest.tar" > /dev/null || die "podman load -i $OUT/loadtest.tar failed"
  out=$(podman run --rm "${PODMAN_RUN[@]}" "${HARDENED[@]}" --memory 512m --network host "$image" \
    "$1" -q --json - --worker 1/2 --start-at "$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)" -c 4 -r 10 -b 2>&1) \
    || { printf '%-18s FAILED (exit %s):\n%s\n' loadtest "$?" "$out"; return 1; }
  local lines requests user
  lines=$(wc -l <<< "$out")
  requests=$(grep -o '"requests":[0-9]*' <<< "$out" | head -1 | cut -d: -f2)   # the report's; windows come after
  user=$(podman inspect -f '{{.Config.User}}' "$image")
  if [[ $lines == 1 && $out == '{"schema":"productapp-loadtest/1"'* && $requests == 20 ]]; then
    printf '%-18s %10s %22s   (user %s; one JSON line, %s requests, worker 1/2 of -c 4 -r 10)\n' loadtest ok - "$user" "$requests"
  else
    printf '%-18s FAILED: expected one JSON line with 20 requests, got:\n%s\n' loadtest "$out"
    return 1
  fi
}
port=24000
failed=0
printf '\nimages: each run as the chart runs it: memory limit %sm, JAVA_TOOL_OPTIONS=%s\n' "$CHART_MEMORY_LIMIT" "$CHART_JVM_OPTIONS"
printf '%-18s %10s %22s\n' container ping "start-to-first-200 ms"
for s in "${SERVICES[@]}"; do
  podman rmi -f "productapp/$s:$version" > /dev/null 2>&1 || true
  podman load -q -i "$OUT/$s.tar" > /dev/null || die "podman load -i $OUT/$s.tar failed"
  name="smoke-$s-$$"
  t0=$(now_ms)
  podman run -d --name "$name" "${PODMAN_RUN[@]}" "${HARDENED[@]}" "${AS_CHART[@]}" --network host \
    -e QUARKUS_HTTP_HOST=127.0.0.1 -e QUARKUS_HTTP_PORT=$port \
    "productapp/$s:$version" > /dev/null || die "podman run failed for $s"
  code=000
  deadline=$((t0 + 60000))
  while (( $(now_ms) < deadline )); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port${PING[$s]}" || true)
    [[ $code == 200 ]] && break
    [[ $(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null) == true ]] || break
    sleep 0.02   # measurement granularity of start-to-first-200
  done
  elapsed=$(( $(now_ms) - t0 ))
  user=$(podman inspect -f '{{.Config.User}}' "productapp/$s:$version")
  if [[ $code == 200 ]]; then
    printf '%-18s %10s %22s   (user %s)\n' "$s" "200" "$elapsed" "$user"
  else
    printf '%-18s %10s %22s   FAILED; its log:\n' "$s" "$code" "$elapsed"
    podman logs "$name" 2>&1 | tail -20
    failed=1
  fi
  if [[ $s == catalogdetail-v1 && $code == 200 ]]; then
    smoke_loadtest "http://127.0.0.1:$port/catalogDetail" || failed=1
  fi
  podman rm -f "$name" > /dev/null
  port=$((port + 1))
done
prune_ours
exit $failed
