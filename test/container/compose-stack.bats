#!/usr/bin/env bats
# compose.yaml: required secrets, the running stack (prod image, PostgreSQL, Redis), its hardening,
# readiness, cache, history across a restart, and a clean `down -v`.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

STACK=${RUN_ID}stack

# stack [compose args...]: the stack's project with this run's image, port and passwords.
stack() {
  AGENT_IMAGE=$PROD_IMAGE AGENT_PORT=$(state_get stack_port) POSTGRES_PASSWORD=$POSTGRES_TEST_PASSWORD \
    REDIS_PASSWORD=$REDIS_TEST_PASSWORD compose_in "$STACK" -f "$ROOT/compose.yaml" "$@"
}
agent_url() { echo "http://127.0.0.1:$(state_get stack_port)"; }

@test "compose files validate" {
  POSTGRES_PASSWORD=x REDIS_PASSWORD=y compose_in "${RUN_ID}config" -f "$ROOT/compose.yaml" config -q
  POSTGRES_PASSWORD=x REDIS_PASSWORD=y compose_in "${RUN_ID}config" -f "$ROOT/compose.yaml" \
    -f "$ROOT/compose.dev.yaml" config -q
}

# up_with [VAR=VALUE...]: `up` with only these passwords in the environment.
up_with() {
  (
    unset POSTGRES_PASSWORD REDIS_PASSWORD
    local kv
    for kv; do export "${kv?}"; done
    AGENT_IMAGE=$PROD_IMAGE compose_in "${RUN_ID}nopw" -f "$ROOT/compose.yaml" up -d --no-build
  )
}

@test "refuses to start without a database or Redis password, and creates nothing" {
  run up_with REDIS_PASSWORD=y
  assert_failure
  assert_output --partial "set POSTGRES_PASSWORD (see .env.example)"
  # Empty counts as unset.
  run up_with POSTGRES_PASSWORD= REDIS_PASSWORD=y
  assert_failure
  assert_output --partial "set POSTGRES_PASSWORD (see .env.example)"
  run up_with POSTGRES_PASSWORD=x
  assert_failure
  assert_output --partial "set REDIS_PASSWORD (see .env.example)"
  assert_equal "$(project_leftovers "${RUN_ID}nopw")" "0 containers, 0 volumes, 0 networks"
}

all_healthy() {
  local s
  for s in agent postgres redis; do health_is "$(container_of "$STACK" "$s")" healthy || return 1; done
}

@test "stack up: agent, postgres, redis healthy" {
  local t0 s
  state_put stack_port "$(free_port)"
  t0=$(now_ms)
  stack up -d --no-build >"$CTEST_TMP/stack-up.log" 2>&1 || fail "$(tail -n 5 "$CTEST_TMP/stack-up.log")"
  if ! wait_until 120 all_healthy; then
    for s in agent postgres redis; do
      echo "$s: $("$DOCKER" inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' \
        "$(container_of "$STACK" "$s")")"
      "$DOCKER" logs "$(container_of "$STACK" "$s")" 2>&1 | tail -n 5
    done
    fail "not all healthy within 120 s"
  fi
  state_put stack_up 1
  note "healthy $((($(now_ms) - t0) / 1000)) s after up"
}

@test "only the agent is published, on 127.0.0.1; every service hardened and limited" {
  [[ $(state_get stack_up) == 1 ]] || fail "the stack is not up"
  local s ports
  for s in postgres redis; do
    ports=$("$DOCKER" port "$(container_of "$STACK" "$s")")
    assert_equal "$s published: $ports" "$s published: "
  done
  ports=$("$DOCKER" port "$(container_of "$STACK" agent)")
  [[ $ports == *"127.0.0.1:$(state_get stack_port)"* && $ports != *0.0.0.0* ]] || fail "agent published as: $ports"
  for s in agent postgres redis; do
    "$DOCKER" inspect "$(container_of "$STACK" "$s")" | jq '.[0].HostConfig' >"$CTEST_TMP/hc.json"
    # One line per service: read-only, init, all capabilities dropped and none added,
    # no-new-privileges, memory and process limits.
    run jq -r '[.ReadonlyRootfs, .Init, (.CapDrop == ["ALL"]), ((.CapAdd // []) == []),
      any(.SecurityOpt[]?; startswith("no-new-privileges")), (.Memory > 0), ((.PidsLimit // 0) > 0)]
      | map(tostring) | join(" ")' "$CTEST_TMP/hc.json"
    assert_output "true true true true true true true"
  done
  assert_equal "$("$DOCKER" inspect -f '{{.Config.User}}' "$(container_of "$STACK" postgres)")" postgres
  assert_equal "$("$DOCKER" inspect -f '{{.Config.User}}' "$(container_of "$STACK" redis)")" redis
}

# A client container on the stack's private network, as the agent connects (inside the server's own
# container, loopback is trusted by the images' default pg_hba.conf).
on_backend() {
  local net
  net=$("$DOCKER" network ls -q --filter "label=com.docker.compose.project=$STACK" \
    --filter "label=com.docker.compose.network=backend")
  "$DOCKER" run --rm --label "$LABEL" --network "$net" "$@"
}

@test "PostgreSQL and Redis refuse clients without the password" {
  [[ $(state_get stack_up) == 1 ]] || fail "the stack is not up"
  run on_backend --entrypoint redis-cli "$REDIS_IMAGE" -h redis ping
  assert_output --partial NOAUTH
  run on_backend -e REDISCLI_AUTH="$REDIS_TEST_PASSWORD" --entrypoint redis-cli "$REDIS_IMAGE" -h redis ping
  assert_output PONG
  # The password reaches redis-server through the environment, never its visible command line.
  run -0 "$DOCKER" top "$(container_of "$STACK" redis)"
  assert_output --partial redis-server
  refute_output --partial "$REDIS_TEST_PASSWORD"
  # -w: never prompt for a password.
  run on_backend --entrypoint psql "$POSTGRES_IMAGE" -h postgres -U agent -d agent -w -c 'select 1'
  assert_failure
  assert_output --partial "password"
  run on_backend -e PGPASSWORD="$POSTGRES_TEST_PASSWORD" --entrypoint psql "$POSTGRES_IMAGE" \
    -h postgres -U agent -d agent -w -tAc 'select 1'
  assert_output 1
}

ready_with_deps() {
  http GET "$(agent_url)/ready"
  [[ $HTTP_CODE == 200 && $(jbody '[.ready, .checks.database, .checks.cache] | map(tostring) | join(",")') == true,up,up ]]
}

@test "/ready: database up, cache up" {
  [[ $(state_get stack_up) == 1 ]] || fail "the stack is not up"
  wait_until 30 ready_with_deps || fail "/ready $HTTP_CODE $(body)"
  note "$(body | cut -c1-90)…"
}

@test "/query through the cache: X-Cache MISS then HIT" {
  [[ $(state_get stack_up) == 1 ]] || fail "the stack is not up"
  local prompt="cache check $RUN_ID" first
  http POST "$(agent_url)/query" "{\"prompt\":\"$prompt\"}"
  assert_equal "$HTTP_CODE $(jbody .response)" "200 Processed: $prompt"
  first=$(header x-cache)
  http POST "$(agent_url)/query" "{\"prompt\":\"$prompt\"}"
  assert_equal "$HTTP_CODE ${first:-none} $(header x-cache)" "200 MISS HIT"
}

record_found() {
  http GET "$(agent_url)/queries/$1"
  [[ $HTTP_CODE == 200 && $(jbody .id) == "$1" ]]
}

@test "query history: GET /queries/{id}, GET /queries newest first, 404" {
  [[ $(state_get stack_up) == 1 ]] || fail "the stack is not up"
  local id1 id2
  http POST "$(agent_url)/query" "{\"prompt\":\"history one $RUN_ID\"}"
  id1=$(jbody '.id // empty')
  http POST "$(agent_url)/query" "{\"prompt\":\"history two $RUN_ID\"}"
  id2=$(jbody '.id // empty')
  [[ -n $id1 && -n $id2 ]] || fail "no ids from /query"
  # History may be written behind the answer: give it a moment.
  wait_until 10 record_found "$id2" || fail "GET /queries/$id2 → $HTTP_CODE $(body | cut -c1-120)"
  assert_equal "$(jbody .prompt)" "history two $RUN_ID"
  record_found "$id1" || fail "GET /queries/$id1 → $HTTP_CODE"
  http GET "$(agent_url)/queries?limit=5"
  assert_equal "$HTTP_CODE $(jbody '[.items[0].id, .items[1].id] | join(",")')" "200 $id2,$id1"
  http GET "$(agent_url)/queries/00000000-0000-4000-8000-000000000000"
  assert_equal "$HTTP_CODE" 404
  state_put stored_id "$id2"
}

@test "history survives an agent restart" {
  local id t0
  id=$(state_get stored_id)
  [[ -n $id ]] || fail "no stored record from the history check"
  t0=$(now_ms)
  stack restart -t 15 agent >/dev/null 2>&1
  wait_until 60 http_ok "$(agent_url)/health"
  wait_until 30 ready_with_deps || fail "/ready after restart: $(body)"
  record_found "$id" || fail "GET /queries/$id after restart → $HTTP_CODE"
  note "record still there after restarting the agent ($((($(now_ms) - t0) / 1000)) s)"
}

@test "down -v leaves no containers, volumes or networks" {
  stack down -v >/dev/null 2>&1
  assert_equal "$(project_leftovers "$STACK")" "0 containers, 0 volumes, 0 networks"
}
