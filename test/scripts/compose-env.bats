#!/usr/bin/env bats
# What the scripts write into .env for compose: scripts/compose-env.sh, and the helper
# scripts/base-images.sh uses for the image names. A user's other lines are never touched.
# (npm run test:scripts)

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
  export ENV_FILE=$BATS_TEST_TMPDIR/.env
}

@test "env_file_set replaces its key in place, appends a new one, keeps every other line" {
  # shellcheck source=scripts/lib/env-file.sh
  . "$ROOT/scripts/lib/env-file.sh"
  printf '# mine\nLOG_LEVEL=debug\nNODE_IMAGE=old\n#NODE_IMAGE=commented\nAGENT_PORT=8080\n' >"$ENV_FILE"
  env_file_set "$ENV_FILE" NODE_IMAGE local/node:24-bookworm-slim
  env_file_set "$ENV_FILE" REDIS_IMAGE local/redis:7-bookworm
  assert_equal "$(cat "$ENV_FILE")" "$(printf '%s\n' '# mine' LOG_LEVEL=debug NODE_IMAGE=local/node:24-bookworm-slim \
    '#NODE_IMAGE=commented' AGENT_PORT=8080 REDIS_IMAGE=local/redis:7-bookworm)"
  assert_equal "$(env_file_get "$ENV_FILE" NODE_IMAGE)" local/node:24-bookworm-slim
  assert_equal "$(env_file_get "$ENV_FILE" MISSING)" ""
}

@test "compose-env.sh: passwords generated once, version and Node from the project, the rest kept" {
  printf 'LOG_LEVEL=debug\nREDIS_PASSWORD=mine\n' >"$ENV_FILE"
  run -0 "$ROOT/scripts/compose-env.sh"
  # shellcheck source=scripts/lib/env-file.sh
  . "$ROOT/scripts/lib/env-file.sh"
  local pg
  pg=$(env_file_get "$ENV_FILE" POSTGRES_PASSWORD)
  [[ $pg =~ ^[0-9a-f]{48}$ ]] || fail "POSTGRES_PASSWORD: $pg"
  assert_equal "$(env_file_get "$ENV_FILE" REDIS_PASSWORD)" mine
  assert_equal "$(env_file_get "$ENV_FILE" LOG_LEVEL)" debug
  assert_equal "$(env_file_get "$ENV_FILE" AGENT_VERSION)" "$(node -p "require('$ROOT/package.json').version")"
  assert_equal "$(env_file_get "$ENV_FILE" NODE_VERSION)" "$(cat "$ROOT/.node-version")"
  run -0 "$ROOT/scripts/compose-env.sh"
  assert_equal "$(env_file_get "$ENV_FILE" POSTGRES_PASSWORD)" "$pg"
  assert_equal "$(grep -c . "$ENV_FILE")" 5
}
