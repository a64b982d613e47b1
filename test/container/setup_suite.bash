# shellcheck shell=bash
# Once per run of the container suite (bats loads this file for every .bats file in this folder):
# the engine, the base images and the project's dev and prod images; afterwards, the clean-up.
# test/container/run.sh normally starts the engine and exports DOCKER first; running bats on a
# file directly works too (as root on Debian 12).

setup_suite() {
  ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  export ROOT DOCKER_BUILDKIT=1
  [[ $(id -u) == 0 ]] || {
    echo "run as root: the suite installs and starts the Docker engine" >&2
    return 1
  }
  # The client is chosen only after the engine (and docker.io) is there.
  if [[ -z ${DOCKER:-} ]]; then DOCKER=$("$ROOT/scripts/docker-engine.sh" registry) || return 1; fi
  export DOCKER
  : "${RUN_ID:=ctest$(date +%s)$$}"
  : "${CTEST_TMP:=$(mktemp -d "${TMPDIR:-/tmp}/container-test.XXXXXX")}"
  export RUN_ID CTEST_TMP
  : >"$CTEST_TMP/empty.env"
  # shellcheck source=test/container/helpers.bash
  . "$BATS_TEST_DIRNAME/helpers.bash"

  if [[ ${SKIP_BASE_IMAGES:-0} != 1 ]]; then
    # The image names go to a file of the run's own, never the developer's .env.
    ENV_FILE=$CTEST_TMP/base-images.env "$ROOT/scripts/base-images.sh" >"$CTEST_TMP/base-images.log" 2>&1 || {
      tail -n 20 "$CTEST_TMP/base-images.log" >&2
      echo "scripts/base-images.sh failed" >&2
      return 1
    }
  fi
  : "${NODE_IMAGE:=local/node:24-bookworm-slim}"
  : "${RUNTIME_IMAGE:=local/distroless-nodejs24:nonroot}"
  : "${POSTGRES_IMAGE:=local/postgres:15-bookworm}"
  : "${REDIS_IMAGE:=local/redis:7-bookworm}"
  export NODE_IMAGE RUNTIME_IMAGE POSTGRES_IMAGE REDIS_IMAGE

  if [[ -z ${COMPOSE:-} ]]; then
    if "$DOCKER" compose version >/dev/null 2>&1; then
      COMPOSE="$DOCKER compose"
    elif command -v docker-compose >/dev/null; then
      COMPOSE=docker-compose
    else
      echo "no Compose: install docker-compose (scripts/docker-engine.sh does) or the compose plugin" >&2
      return 1
    fi
  fi
  export COMPOSE

  local secret=() target tag t0
  [[ -r /etc/ssl/certs/ca-certificates.crt ]] && secret=(--secret 'id=ca,src=/etc/ssl/certs/ca-certificates.crt')
  for target in prod dev; do
    t0=$SECONDS
    tag=$PROD_IMAGE
    [[ $target == dev ]] && tag=$DEV_IMAGE
    if ! "$DOCKER" build -f "$ROOT/docker/Dockerfile" --target "$target" --progress=plain \
      --build-arg NODE_IMAGE --build-arg RUNTIME_IMAGE \
      --build-arg "PINNED_NODE_VERSION=$(cat "$ROOT/.node-version")" --build-arg "VERSION=$TEST_VERSION" \
      --build-arg "REVISION=$RUN_ID" --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      --build-arg "SOURCE=file://$ROOT" "${secret[@]}" \
      -t "$tag" "$ROOT" >"$CTEST_TMP/build-$target.log" 2>&1; then
      tail -n 30 "$CTEST_TMP/build-$target.log" >&2
      echo "docker build --target $target failed" >&2
      return 1
    fi
    printf '# built %s in %d s\n' "$tag" "$((SECONDS - t0))" >&3
  done
  printf '# run %s: %s, compose: %s\n' "$RUN_ID" "$DOCKER" "$COMPOSE" >&3
}

teardown_suite() {
  # shellcheck source=test/container/helpers.bash
  . "$BATS_TEST_DIRNAME/helpers.bash"
  ctest_cleanup
}
