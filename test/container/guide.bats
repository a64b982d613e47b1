#!/usr/bin/env bats
# The containers guide as written: the quick-start block of docs/containers.md (the README carries
# the same block) runs in a new shell, in a copy of the project, with nothing but PATH and HOME
# from this run, then the stack it started answers with package.json's version. Only the port,
# the image tag and the compose project differ, through the variables the guide itself reads.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

GUIDE_PROJECT=${RUN_ID}guide
GUIDE_IMAGE=ai-agent-service-ctest:${RUN_ID}-guide

# block FILE: the shell block that follows the quick-start marker in FILE.
block() {
  awk '/^<!-- container-suite: quick start -->$/ { marked = 1; next }
    marked && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$1"
}

@test "the README's container commands are the guide's" {
  [[ -n $(block "$ROOT/docs/containers.md") ]] || fail "no quick-start block in docs/containers.md"
  assert_equal "$(block "$ROOT/README.md")" "$(block "$ROOT/docs/containers.md")"
}

@test "the quick start runs as written in a new shell and serves package.json's version" {
  local tree=$CTEST_TMP/guide/ai-agent-service version port
  mkdir -p "$tree"
  # The project as committed or added, without ignored files (.env, node_modules, dist).
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tree" 2>/dev/null) || true
  [[ -x $tree/scripts/compose-env.sh ]] || fail "the copy of the project is incomplete"
  block "$ROOT/docs/containers.md" >"$CTEST_TMP/guide.sh"
  echo "$GUIDE_PROJECT" >>"$CTEST_TMP/projects"
  port=$(free_port)
  version=$(node -p "require('$ROOT/package.json').version")
  # A new login-like shell: none of this run's variables (DOCKER, COMPOSE, the base images).
  run env -i PATH="$PATH" HOME="$HOME" AGENT_PORT="$port" AGENT_IMAGE="$GUIDE_IMAGE" \
    COMPOSE_PROJECT_NAME="$GUIDE_PROJECT" bash -c "cd '$tree' && set -euo pipefail && . '$CTEST_TMP/guide.sh'"
  printf '%s\n' "$output" >"$CTEST_TMP/guide.log"
  assert_success
  assert_output --partial '"ready":true'
  assert_output --partial "{\"status\":\"healthy\",\"version\":\"$version\"}"
  refute_output --partial 'Pulling'
  # What a Compose v2 build would pass: package.json's version, not 0.0.0-dev.
  run env -i PATH="$PATH" HOME="$HOME" bash -c "cd '$tree' && eval \"\$(scripts/docker-engine.sh --env 2>/dev/null)\" && \$COMPOSE config"
  assert_success
  assert_output --regexp "VERSION: ['\"]?${version}['\"]?[[:space:]]"
  assert_equal "$(project_leftovers "$GUIDE_PROJECT")" "0 containers, 0 volumes, 0 networks"
}

teardown_file() {
  "$DOCKER" image rm "$GUIDE_IMAGE" >/dev/null 2>&1 || true
}
