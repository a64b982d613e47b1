#!/usr/bin/env bats
# The dev image through compose.dev.yaml: its user, and hot reload of a source edit made in a copy
# of the tree (the real tree is never touched).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

@test "runs as the node user" {
  run -0 "$DOCKER" run --rm --label "$LABEL" "$DEV_IMAGE" id -u
  assert_output 1000
}

dev_answers() {
  local n
  n=$(($(state_get dev_n) + 1))
  state_put dev_n "$n"
  http POST "$DEV_URL/query" "{\"prompt\":\"dev $n\"}"
  [[ $HTTP_CODE == 200 && $(jbody .response) == "$1 dev $n" ]]
}

dev() {
  (cd "$CTEST_TMP/dev-tree" && AGENT_DEV_IMAGE=$DEV_IMAGE AGENT_PORT=$DEV_PORT POSTGRES_PASSWORD=$POSTGRES_TEST_PASSWORD \
    REDIS_PASSWORD=$REDIS_TEST_PASSWORD compose_in "${RUN_ID}dev" -f compose.yaml -f compose.dev.yaml "$@")
}

@test "hot reload of a bind-mounted source change (compose.dev.yaml)" {
  local dir=$CTEST_TMP/dev-tree file t0 boot reload
  mkdir -p "$dir"
  cp -a "$ROOT/apps" "$ROOT/libs" "$ROOT/nest-cli.json" "$ROOT/tsconfig.json" "$ROOT/tsconfig.build.json" \
    "$ROOT/compose.yaml" "$ROOT/compose.dev.yaml" "$dir/"
  # shellcheck disable=SC2016 # a literal template string
  file=$(grep -rl --include='*.ts' --exclude='*.spec.ts' '`Processed: ${' "$dir/libs" "$dir/apps" | head -n 1)
  [[ -n $file ]] || fail "no 'Processed: \${' template in the sources to edit"
  DEV_PORT=$(free_port)
  DEV_URL=http://127.0.0.1:$DEV_PORT
  state_put dev_n 0
  dev up -d --no-build >"$CTEST_TMP/dev-up.log" 2>&1 || fail "$(tail -n 5 "$CTEST_TMP/dev-up.log")"
  t0=$(now_ms)
  wait_until 180 http_ok "$DEV_URL/health" ||
    fail "dev service never answered: $("$DOCKER" logs "$(container_of "${RUN_ID}dev" agent)" 2>&1 | tail -n 3)"
  boot=$((($(now_ms) - t0) / 1000))
  dev_answers "Processed:" || fail "before the edit: $HTTP_CODE $(body)"
  sed -i 's/`Processed: \${/`Reloaded: ${/' "$file"
  t0=$(now_ms)
  wait_until 90 dev_answers "Reloaded:" || fail "no reload within 90 s: $(body)"
  reload=$(($(now_ms) - t0))
  dev down -v >/dev/null 2>&1
  note "first answer $boot s after up; '${file#"$dir"/}' edited → new answer after $reload ms"
  assert_equal "$(project_leftovers "${RUN_ID}dev")" "0 containers, 0 volumes, 0 networks"
}
