# shellcheck shell=bash disable=SC2034 # the names and HTTP_CODE are used by the .bats files
# Shared by the container suite's .bats files and setup_suite.bash: names derived from the run id,
# HTTP and polling helpers, and the clean-up of everything a run creates.
#
# Exported by setup_suite (or test/container/run.sh): ROOT, DOCKER, COMPOSE, RUN_ID, CTEST_TMP,
# NODE_IMAGE / RUNTIME_IMAGE / POSTGRES_IMAGE / REDIS_IMAGE.

: "${ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

# Compose project names must be lower-case alphanumerics for docker-compose 1.29.
LABEL=ai-agent-service.container-test=${RUN_ID:-}
PROD_IMAGE=ai-agent-service-ctest:${RUN_ID:-}-prod
DEV_IMAGE=ai-agent-service-ctest:${RUN_ID:-}-dev
RELEASE_LOCAL=ai-agent-service-ctest:${RUN_ID:-}-release
REGISTRY_ADDR=${REGISTRY_ADDR:-127.0.0.1:5000}
RELEASE_REPO=$REGISTRY_ADDR/ai-agent-service-ctest
TEST_VERSION=0.0.0-ctest
# Passwords for the compose stacks of this run (URL-safe, never the documented examples).
POSTGRES_TEST_PASSWORD=pg${RUN_ID:-}
REDIS_TEST_PASSWORD=rd${RUN_ID:-}

# note TEXT: a detail line in bats' output (the numbers a check measured).
note() { printf '# %s\n' "$*" >&3; }

now_ms() { date +%s%3N; }

# State handed from one test to a later one (tests run in separate subshells).
state_put() { printf '%s' "$2" >"$CTEST_TMP/state.$1"; }
state_get() { cat "$CTEST_TMP/state.$1" 2>/dev/null || true; }

# http METHOD URL [JSON_BODY]: sets HTTP_CODE; body and headers in $CTEST_TMP/body, $CTEST_TMP/headers.
http() {
  local method=$1 url=$2 data=${3:-}
  local args=(-sS -X "$method" -o "$CTEST_TMP/body" -D "$CTEST_TMP/headers" -w '%{http_code}' --max-time 10)
  [[ -n $data ]] && args+=(-H 'content-type: application/json' --data "$data")
  HTTP_CODE=$(curl "${args[@]}" "$url" 2>"$CTEST_TMP/curl.err") || HTTP_CODE=000
}
body() { cat "$CTEST_TMP/body"; }
# jq over the last response body: jbody FILTER (raw output).
jbody() { jq -r "$1" "$CTEST_TMP/body"; }
header() { grep -i "^$1:" "$CTEST_TMP/headers" | head -n 1 | cut -d: -f2- | tr -d ' \r'; }

# wait_until SECONDS COMMAND...: polls every 0.25 s.
wait_until() {
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@" >/dev/null 2>&1; do
    (($(now_ms) > deadline)) && return 1
    sleep 0.25
  done
}
http_ok() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1") == 200 ]]; }
health_is() { [[ $("$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null) == "$2" ]]; }
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Runs the prod image like production does (read-only root, tmpfs /tmp) with the run's label.
# run_prod NAME [docker run options...] [-- command...]
run_prod() {
  local name=$1 opts=() cmd=()
  shift
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      cmd=("$@")
      break
    fi
    opts+=("$1")
    shift
  done
  "$DOCKER" run -d --name "$RUN_ID-$name" --label "$LABEL" --read-only --tmpfs /tmp \
    "${opts[@]}" "$PROD_IMAGE" "${cmd[@]}" >/dev/null
}

# compose_in PROJECT [compose args...]: the run's compose command with an empty env file, so a
# developer's .env never changes what a test sees. The project is recorded for clean-up; the
# compose files are the -f arguments, which `down` needs again.
compose_in() {
  local project=$1 compose
  shift
  read -r -a compose <<<"${COMPOSE:?}"
  grep -qx "$project" "$CTEST_TMP/projects" 2>/dev/null || echo "$project" >>"$CTEST_TMP/projects"
  "${compose[@]}" --env-file "$CTEST_TMP/empty.env" -p "$project" "$@"
}

container_of() {
  "$DOCKER" ps -aq --filter "label=com.docker.compose.project=$1" \
    --filter "label=com.docker.compose.service=$2" | head -n 1
}

project_leftovers() {
  local p=$1
  echo "$("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$p" | wc -l) containers," \
    "$("$DOCKER" volume ls -q --filter "label=com.docker.compose.project=$p" | wc -l) volumes," \
    "$("$DOCKER" network ls -q --filter "label=com.docker.compose.project=$p" | wc -l) networks"
}

# Removes every container, compose project, volume, network, image tag and registry manifest the
# run created. Idempotent: teardown_suite and run.sh's exit trap both call it.
ctest_cleanup() {
  [[ -n ${RUN_ID:-} && -n ${DOCKER:-} && -d ${CTEST_TMP:-} ]] || return 0
  local p img digest
  if [[ -s $CTEST_TMP/projects ]]; then
    while read -r p; do
      "$DOCKER" ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1
      "$DOCKER" volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" volume rm -f >/dev/null 2>&1
      "$DOCKER" network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" network rm >/dev/null 2>&1
    done <"$CTEST_TMP/projects"
  fi
  "$DOCKER" ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1
  digest=$(state_get release_digest)
  if [[ -n $digest ]]; then
    curl -s -o /dev/null -X DELETE -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY_ADDR/v2/${RELEASE_REPO#*/}/manifests/$digest" || true
  fi
  for img in "$PROD_IMAGE" "$DEV_IMAGE" "$RELEASE_LOCAL" "$RELEASE_REPO:1.0.0" "$RELEASE_REPO:1.0" \
    "$RELEASE_REPO:1" "$RELEASE_REPO:latest"; do
    "$DOCKER" image rm "$img" >/dev/null 2>&1
  done
  if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "container suite: logs kept in $CTEST_TMP" >&2; else rm -rf "$CTEST_TMP"; fi
  return 0
}
