#!/usr/bin/env bats
# scripts/release.sh: semver tag rules, a real release to the local registry, and a clean pull of
# what was pushed.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

# shellcheck disable=SC2120 # called through bats' run with arguments
release() { REGISTRY=$RELEASE_REPO "$ROOT/scripts/release.sh" "$@"; }

@test "semver tag rules" {
  VERSION=1.2.0-rc.1 run -0 --separate-stderr release --dry-run
  assert_output "$RELEASE_REPO:1.2.0-rc.1"
  VERSION=v2.3.4 run -0 --separate-stderr release --dry-run
  assert_output "$(printf '%s\n' "$RELEASE_REPO:2.3.4" "$RELEASE_REPO:2.3" "$RELEASE_REPO:2" "$RELEASE_REPO:latest")"
  local bad
  for bad in 1.2 1.02.3 1.2.3-beta..1 latest 1.2.3+build; do
    VERSION=$bad run release --dry-run
    assert_failure
    assert_output --partial "error:"
  done
}

@test "release 1.0.0 pushes 1.0.0, 1.0, 1, latest and prints the digest" {
  local out tags
  # shellcheck disable=SC2119 # no arguments: a real release
  out=$(VERSION=1.0.0 LOCAL_IMAGE=$RELEASE_LOCAL release 2>"$CTEST_TMP/release.log") ||
    fail "$(tail -n 5 "$CTEST_TMP/release.log")"
  [[ $out == "$RELEASE_REPO@sha256:"* ]] || fail "last line: $out"
  state_put release_digest "${out##*@}"
  tags=$(curl -s "http://$REGISTRY_ADDR/v2/${RELEASE_REPO#*/}/tags/list" | jq -r '.tags // [] | sort | join(",")')
  note "$out; registry tags: $tags"
  assert_equal "$tags" "1,1.0,1.0.0,latest"
}

@test "clean pull of 1.0.0 answers /health and /query" {
  local digest t port
  digest=$(state_get release_digest)
  [[ -n $digest ]] || fail "nothing was released"
  for t in "$RELEASE_LOCAL" "$RELEASE_REPO:1.0.0" "$RELEASE_REPO:1.0" "$RELEASE_REPO:1" "$RELEASE_REPO:latest"; do
    "$DOCKER" image rm "$t" >/dev/null 2>&1 || true
  done
  run "$DOCKER" image inspect "$RELEASE_REPO:1.0.0"
  assert_failure
  "$DOCKER" pull -q "$RELEASE_REPO:1.0.0" >/dev/null
  [[ $("$DOCKER" image inspect -f '{{join .RepoDigests " "}}' "$RELEASE_REPO:1.0.0") == *"$digest"* ]]
  port=$(free_port)
  "$DOCKER" run -d --name "$RUN_ID-pulled" --label "$LABEL" --read-only --tmpfs /tmp \
    -p "127.0.0.1:$port:8000" "$RELEASE_REPO:1.0.0" >/dev/null
  wait_until 20 http_ok "http://127.0.0.1:$port/health" ||
    fail "no /health: $("$DOCKER" logs "$RUN_ID-pulled" 2>&1 | tail -n 2)"
  http GET "http://127.0.0.1:$port/health"
  assert_equal "$(body)" '{"status":"healthy","version":"1.0.0"}'
  http POST "http://127.0.0.1:$port/query" '{"prompt":"hello"}'
  assert_equal "$HTTP_CODE $(jbody .response)" "200 Processed: hello"
  note "pulled $RELEASE_REPO:1.0.0 (${digest:0:19}…)"
}

teardown_file() {
  "$DOCKER" rm -f "$RUN_ID-pulled" >/dev/null 2>&1 || true
}
