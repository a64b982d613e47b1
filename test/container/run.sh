#!/usr/bin/env bash
# Container suite: builds the dev and prod images and checks them, the compose stack, the release
# path through a registry, and hot reload in the dev image.
#
#   test/container/run.sh            (npm run test:container; root, Debian 12, ~5 min warm)
#
# Self-contained: starts the Docker engine and a local registry (docker/engine.sh registry), builds
# the local base images when missing (docker/base-images/build.sh), then the project's images from
# docker/Dockerfile. Every container, compose project, network, volume, image tag and registry
# manifest it creates carries this run's id and is removed on exit, also on failure or Ctrl+C.
# Prints one PASS/FAIL line per check and exits 1 if any check failed.
#
# Environment: NODE_IMAGE / RUNTIME_IMAGE / POSTGRES_IMAGE / REDIS_IMAGE (default: the local
# stand-ins), SKIP_BASE_IMAGES=1 (use public base images as they are), COMPOSE (compose command,
# default `docker compose` when available, else docker-compose), COLD_START_BUDGET_MS (1000),
# REGISTRY_ADDR (127.0.0.1:5000), KEEP_TMP=1 (keep logs in the run's temp dir).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=docker
export DOCKER_BUILDKIT=1

: "${NODE_IMAGE:=local/node:24-bookworm-slim}"
: "${RUNTIME_IMAGE:=local/distroless-nodejs24:nonroot}"
: "${POSTGRES_IMAGE:=local/postgres:15-bookworm}"
: "${REDIS_IMAGE:=local/redis:7-bookworm}"
export NODE_IMAGE RUNTIME_IMAGE POSTGRES_IMAGE REDIS_IMAGE
COLD_START_BUDGET_MS=${COLD_START_BUDGET_MS:-1000}
SIZE_BUDGET_MB=150
REGISTRY_ADDR=${REGISTRY_ADDR:-127.0.0.1:5000}

# Compose project names must be lower-case alphanumerics for docker-compose 1.29.
RUN_ID=ctest$(date +%s)$$
LABEL=ai-agent-service.container-test=$RUN_ID
PROD_IMAGE=ai-agent-service-ctest:$RUN_ID-prod
DEV_IMAGE=ai-agent-service-ctest:$RUN_ID-dev
RELEASE_LOCAL=ai-agent-service-ctest:$RUN_ID-release
RELEASE_REPO=$REGISTRY_ADDR/ai-agent-service-ctest
TEST_VERSION=0.0.0-ctest
TMP=$(mktemp -d "${TMPDIR:-/tmp}/container-test.XXXXXX")
PROJECTS=()
RELEASE_DIGEST=""
START=$SECONDS
PASSED=0
FAILED=()

# ---------------------------------------------------------------------------------------------
# output and assertions

say() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
die() {
  printf 'FATAL %s\n' "$*" >&2
  exit 1
}
pass() {
  PASSED=$((PASSED + 1))
  printf 'PASS  %s\n' "$*"
}
fail() {
  FAILED+=("$1")
  printf 'FAIL  %s: %s\n' "$1" "$2"
}
# check NAME FUNCTION [ARGS...]: FUNCTION prints a detail on stdout; non-zero status = failure.
# It runs in this shell (not a subshell), so checks can hand state to later ones.
check() {
  local name=$1 out status
  shift
  "$@" >"$TMP/check.out" 2>&1
  status=$?
  out=$(cat "$TMP/check.out")
  out=$(tr '\n' ' ' <<<"$out" | sed 's/ *$//')
  if ((status == 0)); then pass "$name${out:+ — $out}"; else fail "$name" "${out:-exit $status}"; fi
}

now_ms() { date +%s%3N; }

# HTTP: http METHOD URL [JSON_BODY]; sets STATUS, and the body / headers in $TMP/body, $TMP/headers.
http() {
  local method=$1 url=$2 data=${3:-}
  local args=(-sS -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 10)
  [[ -n $data ]] && args+=(-H 'content-type: application/json' --data "$data")
  STATUS=$(curl "${args[@]}" "$url" 2>"$TMP/curl.err") || STATUS=000
}
body() { cat "$TMP/body"; }
header() { grep -i "^$1:" "$TMP/headers" | head -n 1 | cut -d: -f2- | tr -d ' \r'; }
# jq-less JSON: `json EXPR < file` prints EXPR evaluated with the parsed document as `j`.
json() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{let j;try{j=JSON.parse(s)}catch{process.exit(3)}
    const v=(0,eval)(`(j)=>(${process.argv[1]})`)(j);process.stdout.write(typeof v==="string"?v:JSON.stringify(v));})' "$1"
}

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
health_is() { [[ $($DOCKER inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null) == "$2" ]]; }
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# ---------------------------------------------------------------------------------------------
# set-up and clean-up

compose() {
  local project=$1
  shift
  "${COMPOSE[@]}" -p "$project" "$@"
}

cleanup() {
  local status=$? p
  trap - EXIT INT TERM
  printf '\n== cleaning up %s\n' "$RUN_ID"
  for p in "${PROJECTS[@]}"; do
    # The dev project's files live in $TMP; `down` needs the same files as `up`.
    if [[ -f $TMP/$p.files ]]; then
      # shellcheck disable=SC2046 # word splitting of the saved -f list is intended
      timeout 120 "${COMPOSE[@]}" -p "$p" $(cat "$TMP/$p.files") down -v --remove-orphans -t 5 >/dev/null 2>&1
    fi
    $DOCKER ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1
    $DOCKER volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" volume rm -f >/dev/null 2>&1
    $DOCKER network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$DOCKER" network rm >/dev/null 2>&1
  done
  $DOCKER ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1
  if [[ -n $RELEASE_DIGEST ]]; then
    curl -s -o /dev/null -X DELETE -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$REGISTRY_ADDR/v2/${RELEASE_REPO#*/}/manifests/$RELEASE_DIGEST" || true
  fi
  local img
  for img in "$PROD_IMAGE" "$DEV_IMAGE" "$RELEASE_LOCAL" "$RELEASE_REPO:1.0.0" "$RELEASE_REPO:1.0" \
    "$RELEASE_REPO:1" "$RELEASE_REPO:latest"; do
    $DOCKER image rm "$img" >/dev/null 2>&1
  done
  if [[ ${KEEP_TMP:-0} == 1 ]]; then info "logs kept in $TMP"; else rm -rf "$TMP"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup() {
  say "set-up (run $RUN_ID)"
  [[ $(id -u) == 0 ]] || die "run as root: the suite installs and starts the Docker engine"
  "$ROOT/docker/engine.sh" registry | sed 's/^/   /' || die "docker/engine.sh registry failed"
  if [[ ${SKIP_BASE_IMAGES:-0} != 1 ]]; then
    "$ROOT/docker/base-images/build.sh" >"$TMP/base-images.log" 2>&1 || {
      tail -n 20 "$TMP/base-images.log"
      die "docker/base-images/build.sh failed"
    }
    info "base images present ($(grep -c 'exists:' "$TMP/base-images.log") reused)"
  fi
  command -v node >/dev/null || die "node is needed on the host (JSON checks)"
  if [[ -n ${COMPOSE:-} ]]; then
    read -r -a COMPOSE <<<"$COMPOSE"
  elif $DOCKER compose version >/dev/null 2>&1; then
    COMPOSE=("$DOCKER" compose)
  elif command -v docker-compose >/dev/null; then
    COMPOSE=(docker-compose)
  else
    die "no Compose: install docker-compose (docker/engine.sh does) or the compose plugin"
  fi
  info "compose: ${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"

  local secret=() target t0
  [[ -r /etc/ssl/certs/ca-certificates.crt ]] && secret=(--secret 'id=ca,src=/etc/ssl/certs/ca-certificates.crt')
  for target in prod dev; do
    t0=$SECONDS
    local tag=$PROD_IMAGE
    [[ $target == dev ]] && tag=$DEV_IMAGE
    if ! $DOCKER build -f "$ROOT/docker/Dockerfile" --target "$target" --progress=plain \
      --build-arg NODE_IMAGE --build-arg RUNTIME_IMAGE --build-arg "VERSION=$TEST_VERSION" \
      --build-arg "REVISION=$RUN_ID" --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      --build-arg "SOURCE=file://$ROOT" "${secret[@]}" \
      -t "$tag" "$ROOT" >"$TMP/build-$target.log" 2>&1; then
      tail -n 30 "$TMP/build-$target.log"
      die "docker build --target $target failed"
    fi
    info "built $tag in $((SECONDS - t0)) s"
  done
}

# Runs the prod image like production does (read-only root, tmpfs /tmp) with a test label.
# run_prod NAME [docker run options...] [-- command...]
run_prod() {
  local name=$1
  shift
  local opts=() cmd=()
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      cmd=("$@")
      break
    fi
    opts+=("$1")
    shift
  done
  $DOCKER run -d --name "$RUN_ID-$name" --label "$LABEL" --read-only --tmpfs /tmp \
    "${opts[@]}" "$PROD_IMAGE" "${cmd[@]}" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# checks: the prod image

check_non_root() {
  local user uid
  user=$($DOCKER image inspect -f '{{.Config.User}}' "$PROD_IMAGE")
  uid=$($DOCKER run --rm --label "$LABEL" "$PROD_IMAGE" -e 'process.stdout.write(String(process.getuid()))')
  [[ $uid == 65532 && $user != "" && $user != root && $user != 0* ]] || {
    echo "USER '$user', runs as uid '$uid'"
    return 1
  }
  echo "USER $user, uid $uid"
}

check_no_shell() {
  local cid files bad
  cid=$($DOCKER create --label "$LABEL" "$PROD_IMAGE")
  files=$($DOCKER export "$cid" | tar -t)
  $DOCKER rm "$cid" >/dev/null
  bad=$(grep -E '(^|/)(s?bin)/(sh|bash|dash|ash|busybox)$|(^|/)(npm|npx|yarn|corepack|apt|apt-get|dpkg|gcc|cc|make|python3?)$' <<<"$files")
  if [[ -n $bad ]]; then
    echo "found: $(tr '\n' ' ' <<<"$bad")"
    return 1
  fi
  if $DOCKER run --rm --label "$LABEL" --entrypoint /bin/sh "$PROD_IMAGE" -c true >/dev/null 2>&1; then
    echo "/bin/sh runs"
    return 1
  fi
  echo "no shell, package manager or compiler among $(wc -l <<<"$files") paths"
}

check_size() {
  local bytes mb app
  bytes=$($DOCKER image inspect -f '{{.Size}}' "$PROD_IMAGE")
  mb=$((bytes / 1000000))
  app=$($DOCKER history --format '{{.Size}}\t{{.CreatedBy}}' "$PROD_IMAGE" | grep -m1 'COPY /out/app' | cut -f1)
  echo "$mb MB (app layer $app, budget $SIZE_BUDGET_MB MB)"
  ((bytes <= SIZE_BUDGET_MB * 1000000))
}

check_metadata() {
  local f problems=()
  f=$($DOCKER image inspect -f '{{json .Config}}' "$PROD_IMAGE")
  local v
  v=$(json 'j.Labels["org.opencontainers.image.version"]' <<<"$f")
  [[ $v == "$TEST_VERSION" ]] || problems+=("version label '$v'")
  v=$(json 'j.Labels["org.opencontainers.image.revision"]' <<<"$f")
  [[ $v == "$RUN_ID" ]] || problems+=("revision label '$v'")
  for v in created source title; do
    [[ -n $(json "j.Labels['org.opencontainers.image.$v']||''" <<<"$f") ]] || problems+=("no $v label")
  done
  [[ $(json '(j.Env||[]).includes("NODE_ENV=production")' <<<"$f") == true ]] || problems+=("NODE_ENV")
  [[ $(json '(j.Env||[]).includes("APP_VERSION='"$TEST_VERSION"'")' <<<"$f") == true ]] || problems+=("APP_VERSION")
  [[ $(json 'j.Healthcheck && j.Healthcheck.Test[0]' <<<"$f") == CMD ]] || problems+=("HEALTHCHECK not exec form")
  [[ $(json 'j.StopSignal' <<<"$f") == SIGTERM ]] || problems+=("STOPSIGNAL")
  [[ $(json '[...(j.Entrypoint||[]),...(j.Cmd||[])].join(" ")' <<<"$f") == "/nodejs/bin/node /app/main.mjs" ]] ||
    problems+=("entrypoint/cmd")
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  echo "OCI labels, NODE_ENV, APP_VERSION=$TEST_VERSION, exec-form HEALTHCHECK/ENTRYPOINT/CMD, STOPSIGNAL"
}

# docker run → first 200 on /health, three times; the best run is held to the budget.
check_cold_start() {
  local i port t0 t times=() best=999999
  for i in 1 2 3; do
    port=$(free_port)
    t0=$(now_ms)
    run_prod "cold$i" -p "127.0.0.1:$port:8000" || return 1
    until http_ok "http://127.0.0.1:$port/health"; do
      if (($(now_ms) - t0 > 20000)); then
        echo "no 200 within 20 s"
        return 1
      fi
      sleep 0.01
    done
    t=$(($(now_ms) - t0))
    times+=("$t")
    ((t < best)) && best=$t
    # The first container stays up for the health and feature checks.
    if [[ $i == 1 ]]; then COLD_PORT=$port; else $DOCKER rm -f "$RUN_ID-cold$i" >/dev/null; fi
  done
  COLD_START_MS=$best
  echo "best ${best} ms (runs: ${times[*]} ms; budget ${COLD_START_BUDGET_MS} ms)"
  ((best <= COLD_START_BUDGET_MS))
}

check_healthy() {
  local t0
  t0=$(now_ms)
  wait_until 60 health_is "$RUN_ID-cold1" healthy || {
    echo "status $($DOCKER inspect -f '{{.State.Health.Status}}' "$RUN_ID-cold1")"
    return 1
  }
  echo "healthy $((($(now_ms) - t0) / 1000)) s after the first 200 (HEALTHCHECK interval 10 s)"
}

check_read_only_features() {
  local base=http://127.0.0.1:$COLD_PORT problems=()
  [[ $($DOCKER inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$RUN_ID-cold1") == true ]] || problems+=("root not read-only")
  http GET "$base/health"
  [[ $STATUS == 200 && $(body) == "{\"status\":\"healthy\",\"version\":\"$TEST_VERSION\"}" ]] ||
    problems+=("/health $STATUS $(body)")
  http POST "$base/query" '{"prompt":"hello"}'
  [[ $STATUS == 200 && $(json 'j.response' <"$TMP/body") == "Processed: hello" ]] || problems+=("/query $STATUS $(body)")
  [[ $(json 'Number.isInteger(j.tokens_used)' <"$TMP/body") == true ]] || problems+=("/query tokens_used")
  http GET "$base/ready"
  [[ $STATUS == 200 && $(json 'j.checks.database+","+j.checks.cache+","+j.checks.api' <"$TMP/body") == \
    not_configured,not_configured,responsive ]] || problems+=("/ready $STATUS $(body)")
  http GET "$base/docs"
  [[ $STATUS == 200 ]] && grep -q swagger-ui "$TMP/body" || problems+=("/docs $STATUS")
  http GET "$base/docs/swagger-ui-bundle.js"
  [[ $STATUS == 200 && $(wc -c <"$TMP/body") -gt 100000 ]] || problems+=("/docs/swagger-ui-bundle.js $STATUS")
  http GET "$base/openapi.json"
  [[ $STATUS == 200 && $(json 'j.info.title' <"$TMP/body") == "AI Agent Service" ]] || problems+=("/openapi.json $STATUS")
  http GET "$base/metrics"
  [[ $STATUS == 200 ]] && grep -q '^# TYPE' "$TMP/body" || problems+=("/metrics $STATUS")
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  echo "/health /query /ready /docs (+assets) /openapi.json /metrics"
}

check_pretty_logs() {
  local port
  port=$(free_port)
  run_prod pretty -p "127.0.0.1:$port:8000" -e LOG_FORMAT=pretty || return 1
  wait_until 20 http_ok "http://127.0.0.1:$port/health" || {
    echo "no /health: $($DOCKER logs "$RUN_ID-pretty" 2>&1 | tail -n 3)"
    return 1
  }
  http POST "http://127.0.0.1:$port/query" '{"prompt":"pretty"}'
  wait_until 5 bash -c "$DOCKER logs '$RUN_ID-pretty' 2>&1 | grep -q 'INFO: request completed'" || {
    echo "no pretty request line: $($DOCKER logs "$RUN_ID-pretty" 2>&1 | tail -n 2)"
    return 1
  }
  if $DOCKER logs "$RUN_ID-pretty" 2>&1 | grep -q '^{'; then
    echo "JSON lines in pretty mode"
    return 1
  fi
  echo "pino-pretty worker runs: '$($DOCKER logs "$RUN_ID-pretty" 2>&1 | grep -m1 'request completed' | cut -c1-60)…'"
}

check_stop() {
  local port t0 took code curl_pid answer
  port=$(free_port)
  # A request in flight when SIGTERM arrives must still be answered.
  run_prod stop -p "127.0.0.1:$port:8000" -e BUILTIN_LATENCY_MS=1500 -e SHUTDOWN_GRACE_MS=10000 || return 1
  wait_until 20 http_ok "http://127.0.0.1:$port/health" || return 1
  curl -s -o "$TMP/inflight" -w '%{http_code}' --max-time 15 -H 'content-type: application/json' \
    --data '{"prompt":"in flight"}' "http://127.0.0.1:$port/query" >"$TMP/inflight.status" &
  curl_pid=$!
  sleep 0.3
  t0=$(now_ms)
  $DOCKER stop -t 30 "$RUN_ID-stop" >/dev/null
  took=$(($(now_ms) - t0))
  wait "$curl_pid"
  code=$($DOCKER inspect -f '{{.State.ExitCode}}' "$RUN_ID-stop")
  answer=$(cat "$TMP/inflight.status")
  echo "exit $code after $took ms (grace 10000 ms), in-flight request answered $answer"
  [[ $code == 0 && $took -lt 10000 && $answer == 200 ]]
}

check_port_and_log_level() {
  local port t0
  port=$(free_port)
  run_prod env -p "127.0.0.1:$port:9090" -e PORT=9090 -e LOG_LEVEL=warn --health-interval 1s || return 1
  wait_until 20 http_ok "http://127.0.0.1:$port/health" || {
    echo "no /health on PORT=9090: $($DOCKER logs "$RUN_ID-env" 2>&1 | tail -n 2)"
    return 1
  }
  # The HEALTHCHECK reads PORT from the environment too.
  wait_until 20 health_is "$RUN_ID-env" healthy || {
    echo "not healthy with PORT=9090"
    return 1
  }
  http POST "http://127.0.0.1:$port/query" '{"prompt":"quiet"}'
  http POST "http://127.0.0.1:$port/query" '{"prompt":""}'
  [[ $STATUS == 400 ]] || return 1
  sleep 0.3
  local logs
  logs=$($DOCKER logs "$RUN_ID-env" 2>&1)
  if grep -q '"level":30' <<<"$logs"; then
    echo "info lines with LOG_LEVEL=warn"
    return 1
  fi
  grep -q '"level":40' <<<"$logs" || {
    echo "no warn line for the 400"
    return 1
  }
  echo "serves and turns healthy on 9090; LOG_LEVEL=warn keeps warn lines, drops info lines"
}

check_invalid_env() {
  local out code lines
  out=$($DOCKER run --rm --label "$LABEL" -e PORT=abc -e LOG_LEVEL=loud "$PROD_IMAGE" 2>&1 >/dev/null)
  code=$?
  lines=$(grep -c . <<<"$out")
  echo "exit $code, stderr: $out"
  [[ $code == 1 && $lines == 1 && $out == "Invalid configuration: "* && $out == *PORT* && $out == *LOG_LEVEL* ]]
}

# ---------------------------------------------------------------------------------------------
# checks: compose stack (prod image, PostgreSQL, Redis)

STACK=""
AGENT_URL=""
stack_env() {
  AGENT_IMAGE=$PROD_IMAGE AGENT_PORT=$STACK_PORT "$@"
}

check_compose_config() {
  (cd "$ROOT" && "${COMPOSE[@]}" -f compose.yaml config -q && "${COMPOSE[@]}" -f compose.yaml -f compose.dev.yaml config -q) || return 1
  echo "compose.yaml and compose.yaml + compose.dev.yaml"
}

container_of() { $DOCKER ps -aq --filter "label=com.docker.compose.project=$STACK" --filter "label=com.docker.compose.service=$1" | head -n 1; }
all_healthy() {
  local s
  for s in agent postgres redis; do health_is "$(container_of "$s")" healthy || return 1; done
}

check_stack_up() {
  STACK=${RUN_ID}stack
  STACK_PORT=$(free_port)
  AGENT_URL=http://127.0.0.1:$STACK_PORT
  PROJECTS+=("$STACK")
  echo "-f $ROOT/compose.yaml" >"$TMP/$STACK.files"
  local t0
  t0=$(now_ms)
  stack_env timeout 300 "${COMPOSE[@]}" -p "$STACK" -f "$ROOT/compose.yaml" up -d --no-build >"$TMP/stack-up.log" 2>&1 || {
    tail -n 5 "$TMP/stack-up.log"
    return 1
  }
  wait_until 120 all_healthy || {
    local s
    for s in agent postgres redis; do echo "$s: $($DOCKER inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$(container_of "$s")")"; done
    return 1
  }
  echo "agent, postgres, redis healthy $((($(now_ms) - t0) / 1000)) s after up"
}

check_stack_isolation() {
  local problems=() s ports
  for s in postgres redis; do
    ports=$($DOCKER port "$(container_of "$s")")
    [[ -z $ports ]] || problems+=("$s published: $ports")
  done
  ports=$($DOCKER port "$(container_of agent)")
  [[ $ports == *"127.0.0.1:$STACK_PORT"* && $ports != *0.0.0.0* ]] || problems+=("agent published as: $ports")
  local hc
  hc=$($DOCKER inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}} {{.HostConfig.Init}}' "$(container_of agent)")
  [[ $hc == "true "[1-9]*" true" ]] || problems+=("agent read-only/memory/init: $hc")
  for s in postgres redis; do
    [[ $($DOCKER inspect -f '{{.HostConfig.Memory}}' "$(container_of "$s")") != 0 ]] || problems+=("$s without memory limit")
  done
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  echo "only the agent is published, on 127.0.0.1; read-only agent with init; memory limits set"
}

ready_with_deps() {
  http GET "$AGENT_URL/ready"
  [[ $STATUS == 200 && $(json 'j.ready+","+j.checks.database+","+j.checks.cache' <"$TMP/body") == true,up,up ]]
}

check_stack_ready() {
  wait_until 30 ready_with_deps || {
    echo "/ready $STATUS $(body)"
    return 1
  }
  echo "$(body | cut -c1-90)…"
}

check_stack_query_cache() {
  local prompt="cache check $RUN_ID" first second
  http POST "$AGENT_URL/query" "{\"prompt\":\"$prompt\"}"
  [[ $STATUS == 200 && $(json 'j.response' <"$TMP/body") == "Processed: $prompt" ]] || {
    echo "/query $STATUS $(body)"
    return 1
  }
  first=$(header x-cache)
  http POST "$AGENT_URL/query" "{\"prompt\":\"$prompt\"}"
  second=$(header x-cache)
  echo "X-Cache: ${first:-none} then ${second:-none}"
  [[ $STATUS == 200 && $first == MISS && $second == HIT ]]
}

STORED_ID=""
record_found() {
  http GET "$AGENT_URL/queries/$1"
  [[ $STATUS == 200 && $(json 'j.id' <"$TMP/body") == "$1" ]]
}

check_stack_history() {
  local id1 id2 problems=()
  http POST "$AGENT_URL/query" "{\"prompt\":\"history one $RUN_ID\"}"
  id1=$(json 'j.id' <"$TMP/body")
  http POST "$AGENT_URL/query" "{\"prompt\":\"history two $RUN_ID\"}"
  id2=$(json 'j.id' <"$TMP/body")
  [[ -n $id1 && -n $id2 ]] || {
    echo "no ids from /query"
    return 1
  }
  # History may be written behind the answer: give it a moment.
  wait_until 10 record_found "$id2" || problems+=("GET /queries/$id2 → $STATUS $(body | cut -c1-120)")
  [[ $STATUS == 200 && $(json 'j.prompt' <"$TMP/body" 2>/dev/null) == "history two $RUN_ID" ]] ||
    problems+=("stored prompt: $(body | cut -c1-120)")
  record_found "$id1" || problems+=("GET /queries/$id1 → $STATUS")
  http GET "$AGENT_URL/queries?limit=5"
  [[ $STATUS == 200 && $(json 'j.items[0].id+","+j.items[1].id' <"$TMP/body" 2>/dev/null) == "$id2,$id1" ]] ||
    problems+=("GET /queries (newest first) → $STATUS $(body | cut -c1-120)")
  http GET "$AGENT_URL/queries/00000000-0000-4000-8000-000000000000"
  [[ $STATUS == 404 ]] || problems+=("unknown id → $STATUS")
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  STORED_ID=$id2
  echo "stored and listed newest first; unknown id 404"
}

check_stack_restart() {
  [[ -n $STORED_ID ]] || {
    echo "no stored record from the history check"
    return 1
  }
  local t0
  t0=$(now_ms)
  stack_env timeout 120 "${COMPOSE[@]}" -p "$STACK" -f "$ROOT/compose.yaml" restart -t 15 agent >/dev/null 2>&1 || return 1
  wait_until 60 http_ok "$AGENT_URL/health" || return 1
  wait_until 30 ready_with_deps || {
    echo "/ready after restart: $(body)"
    return 1
  }
  record_found "$STORED_ID" || {
    echo "GET /queries/$STORED_ID after restart → $STATUS"
    return 1
  }
  echo "record $STORED_ID still there after restarting the agent ($((($(now_ms) - t0) / 1000)) s)"
}

project_leftovers() {
  local p=$1
  echo "$($DOCKER ps -aq --filter "label=com.docker.compose.project=$p" | wc -l) containers," \
    "$($DOCKER volume ls -q --filter "label=com.docker.compose.project=$p" | wc -l) volumes," \
    "$($DOCKER network ls -q --filter "label=com.docker.compose.project=$p" | wc -l) networks"
}

check_stack_down() {
  stack_env timeout 120 "${COMPOSE[@]}" -p "$STACK" -f "$ROOT/compose.yaml" down -v >/dev/null 2>&1 || return 1
  local left
  left=$(project_leftovers "$STACK")
  echo "left behind: $left"
  [[ $left == "0 containers, 0 volumes, 0 networks" ]]
}

# ---------------------------------------------------------------------------------------------
# checks: release through a registry, then a clean pull

check_release_rules() {
  local out problems=()
  out=$(REGISTRY=$RELEASE_REPO VERSION=1.2.0-rc.1 "$ROOT/docker/release.sh" --dry-run 2>/dev/null)
  [[ $out == "$RELEASE_REPO:1.2.0-rc.1" ]] || problems+=("rc tags: $out")
  out=$(REGISTRY=$RELEASE_REPO VERSION=v2.3.4 "$ROOT/docker/release.sh" --dry-run 2>/dev/null | tr '\n' ' ')
  [[ $out == "$RELEASE_REPO:2.3.4 $RELEASE_REPO:2.3 $RELEASE_REPO:2 $RELEASE_REPO:latest " ]] || problems+=("stable tags: $out")
  local bad
  for bad in 1.2 1.02.3 1.2.3-beta..1 latest 1.2.3+build; do
    REGISTRY=$RELEASE_REPO VERSION=$bad "$ROOT/docker/release.sh" --dry-run >/dev/null 2>&1 && problems+=("accepted $bad")
  done
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  echo "X.Y.Z → X.Y.Z, X.Y, X, latest; pre-release → its own tag only; invalid versions refused"
}

check_release_push() {
  local out tags
  out=$(REGISTRY=$RELEASE_REPO VERSION=1.0.0 LOCAL_IMAGE=$RELEASE_LOCAL timeout 600 "$ROOT/docker/release.sh" 2>"$TMP/release.log") || {
    tail -n 5 "$TMP/release.log"
    return 1
  }
  RELEASE_DIGEST=${out##*@}
  [[ $out == "$RELEASE_REPO@sha256:"* ]] || {
    echo "last line: $out"
    return 1
  }
  tags=$(curl -s "http://$REGISTRY_ADDR/v2/${RELEASE_REPO#*/}/tags/list" | json '(j.tags||[]).sort().join(",")')
  echo "$out; registry tags: $tags"
  [[ $tags == "1,1.0,1.0.0,latest" ]]
}

check_clean_pull() {
  [[ -n $RELEASE_DIGEST ]] || {
    echo "nothing was released"
    return 1
  }
  local img t problems=()
  for t in "$RELEASE_LOCAL" "$RELEASE_REPO:1.0.0" "$RELEASE_REPO:1.0" "$RELEASE_REPO:1" "$RELEASE_REPO:latest"; do
    $DOCKER image rm "$t" >/dev/null 2>&1
  done
  $DOCKER image inspect "$RELEASE_REPO:1.0.0" >/dev/null 2>&1 && {
    echo "local image still present"
    return 1
  }
  timeout 300 $DOCKER pull -q "$RELEASE_REPO:1.0.0" >/dev/null || return 1
  img=$($DOCKER image inspect -f '{{join .RepoDigests " "}}' "$RELEASE_REPO:1.0.0")
  [[ $img == *"$RELEASE_DIGEST"* ]] || problems+=("pulled digest $img")
  local port
  port=$(free_port)
  $DOCKER run -d --name "$RUN_ID-pulled" --label "$LABEL" --read-only --tmpfs /tmp \
    -p "127.0.0.1:$port:8000" "$RELEASE_REPO:1.0.0" >/dev/null || return 1
  wait_until 20 http_ok "http://127.0.0.1:$port/health" || {
    echo "no /health: $($DOCKER logs "$RUN_ID-pulled" 2>&1 | tail -n 2)"
    return 1
  }
  http GET "http://127.0.0.1:$port/health"
  [[ $(body) == '{"status":"healthy","version":"1.0.0"}' ]] || problems+=("/health $(body)")
  http POST "http://127.0.0.1:$port/query" '{"prompt":"hello"}'
  [[ $STATUS == 200 && $(json 'j.response' <"$TMP/body") == "Processed: hello" ]] || problems+=("/query $STATUS $(body)")
  if ((${#problems[@]})); then
    echo "${problems[*]}"
    return 1
  fi
  echo "pulled $RELEASE_REPO:1.0.0 (${RELEASE_DIGEST:0:19}…): /health version 1.0.0, /query 'Processed: hello'"
}

# ---------------------------------------------------------------------------------------------
# checks: the dev image

check_dev_user() {
  local uid
  uid=$($DOCKER run --rm --label "$LABEL" "$DEV_IMAGE" id -u)
  echo "uid $uid"
  [[ $uid == 1000 ]]
}

dev_answers() {
  DEV_N=$((DEV_N + 1))
  http POST "$DEV_URL/query" "{\"prompt\":\"dev $DEV_N\"}"
  [[ $STATUS == 200 && $(json 'j.response' <"$TMP/body") == "$1 dev $DEV_N" ]]
}

check_dev_reload() {
  local dir=$TMP/dev-tree project=${RUN_ID}dev file t0
  mkdir -p "$dir"
  # A copy of the sources: the edit below must never touch the real tree.
  cp -a "$ROOT/apps" "$ROOT/libs" "$ROOT/nest-cli.json" "$ROOT/tsconfig.json" "$ROOT/tsconfig.build.json" \
    "$ROOT/compose.yaml" "$ROOT/compose.dev.yaml" "$dir/"
  # shellcheck disable=SC2016 # a literal template string
  file=$(grep -rl --include='*.ts' --exclude='*.spec.ts' '`Processed: ${' "$dir/libs" "$dir/apps" | head -n 1)
  [[ -n $file ]] || {
    echo "no 'Processed: \${' template in the sources to edit"
    return 1
  }
  PROJECTS+=("$project")
  echo "-f $dir/compose.yaml -f $dir/compose.dev.yaml" >"$TMP/$project.files"
  DEV_PORT=$(free_port)
  DEV_URL=http://127.0.0.1:$DEV_PORT
  DEV_N=0
  (cd "$dir" && AGENT_DEV_IMAGE=$DEV_IMAGE AGENT_PORT=$DEV_PORT timeout 300 "${COMPOSE[@]}" -p "$project" \
    -f compose.yaml -f compose.dev.yaml up -d --no-build >"$TMP/dev-up.log" 2>&1) || {
    tail -n 5 "$TMP/dev-up.log"
    return 1
  }
  t0=$(now_ms)
  wait_until 180 http_ok "$DEV_URL/health" || {
    echo "dev service never answered: $($DOCKER logs "$(docker_ps_project "$project" agent)" 2>&1 | tail -n 3)"
    return 1
  }
  local boot=$((($(now_ms) - t0) / 1000))
  dev_answers "Processed:" || {
    echo "before the edit: $STATUS $(body)"
    return 1
  }
  sed -i 's/`Processed: \${/`Reloaded: ${/' "$file"
  t0=$(now_ms)
  wait_until 90 dev_answers "Reloaded:" || {
    echo "no reload within 90 s: $(body)"
    return 1
  }
  local reload=$(($(now_ms) - t0))
  (cd "$dir" && AGENT_DEV_IMAGE=$DEV_IMAGE AGENT_PORT=$DEV_PORT timeout 120 "${COMPOSE[@]}" -p "$project" \
    -f compose.yaml -f compose.dev.yaml down -v >/dev/null 2>&1)
  local left
  left=$(project_leftovers "$project")
  echo "first answer $boot s after up; '${file#"$dir"/}' edited → new answer after $reload ms; down -v left $left"
  [[ $left == "0 containers, 0 volumes, 0 networks" ]]
}
docker_ps_project() { $DOCKER ps -aq --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$2" | head -n 1; }

# ---------------------------------------------------------------------------------------------

main() {
  setup

  say "prod image ($PROD_IMAGE)"
  check "runs as non-root" check_non_root
  check "no shell, package manager or compiler" check_no_shell
  check "image size ≤ $SIZE_BUDGET_MB MB" check_size
  check "labels, env, exec-form entrypoint, healthcheck, stop signal" check_metadata
  COLD_PORT=""
  check "cold start: docker run → first /health 200 ≤ $COLD_START_BUDGET_MS ms" check_cold_start
  if [[ -n $COLD_PORT ]]; then
    check "becomes healthy through its own HEALTHCHECK" check_healthy
    check "read-only root + tmpfs /tmp: every endpoint works" check_read_only_features
  else
    fail "becomes healthy through its own HEALTHCHECK" "no container from the cold-start check"
    fail "read-only root + tmpfs /tmp: every endpoint works" "no container from the cold-start check"
  fi
  check "LOG_FORMAT=pretty (pino-pretty worker in the bundle)" check_pretty_logs
  check "docker stop: drains, exits 0 within SHUTDOWN_GRACE_MS" check_stop
  check "honours PORT and LOG_LEVEL" check_port_and_log_level
  check "invalid env: exit 1 with one 'Invalid configuration' line" check_invalid_env
  $DOCKER ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1

  say "compose stack (${COMPOSE[*]})"
  check "compose files validate" check_compose_config
  if check_stack_up >"$TMP/stack-up.out" 2>&1; then
    pass "stack up: agent, postgres, redis healthy — $(cat "$TMP/stack-up.out")"
    check "data stores unpublished; agent on 127.0.0.1, read-only, limited" check_stack_isolation
    check "/ready: database up, cache up" check_stack_ready
    check "/query through the cache: X-Cache MISS then HIT" check_stack_query_cache
    check "query history: GET /queries/{id}, GET /queries newest first, 404" check_stack_history
    check "history survives an agent restart" check_stack_restart
  else
    fail "stack up: agent, postgres, redis healthy" "$(tr '\n' ' ' <"$TMP/stack-up.out")"
  fi
  check "down -v leaves no containers, volumes or networks" check_stack_down

  say "release ($RELEASE_REPO)"
  check "semver tag rules" check_release_rules
  check "release 1.0.0 pushes 1.0.0, 1.0, 1, latest and prints the digest" check_release_push
  check "clean pull of 1.0.0 answers /health and /query" check_clean_pull

  say "dev image ($DEV_IMAGE)"
  check "runs as the node user" check_dev_user
  check "hot reload of a bind-mounted source change (compose.dev.yaml)" check_dev_reload

  say "summary"
  local total=$((PASSED + ${#FAILED[@]}))
  printf '%d/%d checks passed in %d s' "$PASSED" "$total" "$((SECONDS - START))"
  [[ -n ${COLD_START_MS:-} ]] && printf ' (cold start %s ms)' "$COLD_START_MS"
  printf '\n'
  if ((${#FAILED[@]})); then
    printf 'failed:\n'
    printf '  - %s\n' "${FAILED[@]}"
    return 1
  fi
}

main "$@"
