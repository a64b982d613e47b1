#!/usr/bin/env bash
# Container suite (npm run test:container): builds the dev and prod images and checks them, the
# compose stack, the release path through a registry, and hot reload in the dev image. As root on
# Debian 12; ~4 min warm.
#
#   test/container/run.sh [BATS_FILE...]    default: every .bats file here, in the order below
#
# Installs what it needs on a bare machine (bats, bats-assert, bats-support, jq, curl; the engine
# via scripts/docker-engine.sh), picks the docker client only after the engine exists, then runs
# bats: setup_suite.bash builds the base images when missing and the project's images, each
# .bats file checks one concern. Everything the run creates carries its id and is removed at the
# end, also on failure or Ctrl+C.
#
# Environment: NODE_IMAGE / RUNTIME_IMAGE / POSTGRES_IMAGE / REDIS_IMAGE (default: the local
# stand-ins), SKIP_BASE_IMAGES=1 (use public base images as they are), COMPOSE (compose command,
# default `docker compose` when available, else docker-compose), COLD_START_BUDGET_MS (1000: the
# service's start-up beyond a bare Node server's in the same image),
# REGISTRY_ADDR (127.0.0.1:5000), KEEP_TMP=1 (keep logs in the run's temp dir), BATS_TEST_TIMEOUT
# (s per check, default 600).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=scripts/lib/apt.sh
. "$ROOT/scripts/lib/apt.sh"

[[ $(id -u) == 0 ]] || {
  echo "run as root: the suite installs and starts the Docker engine" >&2
  exit 1
}
apt_ensure bats bats-assert bats-support jq curl
# The client comes from the engine script, after it has installed docker.io if needed.
DOCKER=$("$ROOT/scripts/docker-engine.sh" registry)
RUN_ID=ctest$(date +%s)$$
CTEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/container-test.XXXXXX")
export ROOT DOCKER RUN_ID CTEST_TMP DOCKER_BUILDKIT=1
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-600}

# shellcheck source=test/container/helpers.bash
. "$HERE/helpers.bash"
# bats' teardown_suite cleans up too; this covers an interrupted or crashed bats.
trap ctest_cleanup EXIT
trap 'exit 130' INT TERM

if (($# == 0)); then
  set -- "$HERE/prod-image.bats" "$HERE/tracing.bats" "$HERE/compose-stack.bats" "$HERE/guide.bats" \
    "$HERE/release.bats" "$HERE/dev-image.bats"
fi
start=$SECONDS
status=0
bats --timing "$@" || status=$?
echo "container suite: $((SECONDS - start)) s, exit $status"
exit "$status"
