#!/usr/bin/env bats
# shellcheck disable=SC2016 # the fakes' scripts are single-quoted: they expand when they run
# Fresh-machine behaviour of the scripts that need Docker, without touching the real engine: a fake
# PATH plays a new Debian machine where the only `docker` is a client without buildx, and Debian's
# client (DEBIAN_DOCKER) appears only when the fake apt-get installs docker.io. Every call to a
# fake is written to $FAKE/log, so the tests see which client ran what, and in which order.
# (npm run test:scripts)

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

fake() {
  printf '#!/bin/sh\n%s\n' "$2" >"$FAKE/bin/$1"
  chmod +x "$FAKE/bin/$1"
}

setup() {
  FAKE=$BATS_TEST_TMPDIR/fake
  mkdir -p "$FAKE/bin" "$FAKE/installed" "$FAKE/debian"
  export FAKE DEBIAN_DOCKER=$FAKE/debian/docker PATH="$FAKE/bin:$PATH"
  unset DOCKER
  # The newer client on PATH: no buildx, so BuildKit builds fail. Debian's (below) has no Compose
  # plugin either: Compose is the docker-compose package.
  fake docker 'echo "path-client $*" >>"$FAKE/log"
case $1 in
  buildx) echo "docker: '"'"'buildx'"'"' is not a docker command." >&2; exit 1 ;;
  build) echo "ERROR: BuildKit is enabled but the buildx component is missing or broken." >&2; exit 1 ;;
esac'
  # dpkg-query -W -f=... PKG: installed when the fake apt-get installed it.
  fake dpkg-query 'for p; do :; done; [ -e "$FAKE/installed/$p" ] && printf "install ok installed"'
  # apt-get install PKG...: marks them installed; docker.io brings Debian's client.
  fake apt-get 'echo "apt-get $*" >>"$FAKE/log"
[ "$1" = install ] || exit 0
for p; do
  case $p in -*|install) continue ;; esac
  : >"$FAKE/installed/$p"
  if [ "$p" = docker-compose ]; then
    printf "#!/bin/sh\necho \"docker-compose \$*\" >>\"\$FAKE/log\"\n" >"$FAKE/bin/docker-compose"
    chmod +x "$FAKE/bin/docker-compose"
  fi
  if [ "$p" = docker.io ]; then
    printf "#!/bin/sh\necho \"debian-client \$*\" >>\"\$FAKE/log\"\n[ \"\$1\" != compose ] || exit 1\n[ \"\$1\" != version ] || echo 20.10.24\n" >"$DEBIAN_DOCKER"
    chmod +x "$DEBIAN_DOCKER"
  fi
done'
  fake dockerd 'echo dockerd >>"$FAKE/log"'
  fake curl 'exit 0'
  fake bats 'echo "bats DOCKER=$DOCKER" >>"$FAKE/log"'
}

@test "before docker.io is installed, no client is chosen: the one on PATH cannot build" {
  # shellcheck source=scripts/lib/docker-client.sh
  . "$ROOT/scripts/lib/docker-client.sh"
  run docker_client
  assert_failure
  assert_output --partial "run scripts/docker-engine.sh"
  assert_output --partial "$FAKE/bin/docker has no buildx"
}

@test "docker-engine.sh installs docker.io first, then prints Debian's client" {
  run --separate-stderr "$ROOT/scripts/docker-engine.sh"
  assert_success
  assert_output "$DEBIAN_DOCKER"
  run grep -c '^apt-get install .*docker\.io' "$FAKE/log"
  assert_output 1
  # The client without buildx never ran a docker command (only the buildx probe, if any).
  run grep -v '^path-client buildx' <(grep '^path-client' "$FAKE/log")
  assert_output ""
  grep -q '^debian-client info' "$FAKE/log"
}

@test "an explicit DOCKER wins over every other choice" {
  DOCKER=/opt/some/docker run "$ROOT/scripts/docker-engine.sh" --help
  assert_success
  # shellcheck source=scripts/lib/docker-client.sh
  . "$ROOT/scripts/lib/docker-client.sh"
  DOCKER=/opt/some/docker run docker_client
  assert_output /opt/some/docker
}

@test "the container suite hands bats the client the engine installed" {
  run "$ROOT/test/container/run.sh"
  assert_success
  # Its own tools first, then the engine, then bats with Debian's client.
  run grep -n -e '^apt-get install' -e '^bats ' "$FAKE/log"
  assert_line --index 0 --regexp '^[0-9]+:apt-get install .*bats .*jq'
  assert_line --index 1 --regexp '^[0-9]+:apt-get install .*docker\.io'
  assert_line --index 2 --regexp "^[0-9]+:bats DOCKER=$DEBIAN_DOCKER\$"
  run grep -c '^path-client build' "$FAKE/log"
  assert_output 0
}

@test "release.sh and base-images.sh refuse the client without buildx, and use Debian's once there" {
  run env REGISTRY=127.0.0.1:5000/x VERSION=1.0.0 SKIP_BUILD=1 LOCAL_IMAGE=x:1 "$ROOT/scripts/release.sh"
  assert_failure
  assert_output --partial "no docker client"
  run "$ROOT/scripts/base-images.sh" debian
  assert_failure
  assert_output --partial "no docker client"
  run grep -c -e '^path-client \(build\|tag\|push\|image\|import\)\( \|$\)' "$FAKE/log"
  assert_output 0

  "$ROOT/scripts/docker-engine.sh" >/dev/null 2>&1
  # The fake Debian client knows no image: release.sh stops there, having asked the right client.
  run env REGISTRY=127.0.0.1:5000/x VERSION=1.0.0 SKIP_BUILD=1 LOCAL_IMAGE=x:1 "$ROOT/scripts/release.sh"
  grep -q '^debian-client image inspect x:1' "$FAKE/log"
}

@test "release.sh --dry-run needs no Docker at all" {
  run --separate-stderr env REGISTRY=127.0.0.1:5000/x VERSION=1.2.3 "$ROOT/scripts/release.sh" --dry-run
  assert_success
  assert_line --index 0 127.0.0.1:5000/x:1.2.3
  [[ ! -e $FAKE/log ]] || ! grep -q client "$FAKE/log"
}

@test "docker-engine.sh --env: after installing, the shell gets Debian's client and docker-compose" {
  run --separate-stderr "$ROOT/scripts/docker-engine.sh" --env
  assert_success
  assert_output "export DOCKER=$DEBIAN_DOCKER DOCKER_BUILDKIT=1 COMPOSE=$FAKE/bin/docker-compose"
  eval "$output"
  assert_equal "$DOCKER $DOCKER_BUILDKIT $COMPOSE" "$DEBIAN_DOCKER 1 $FAKE/bin/docker-compose"
  run grep -c '^apt-get install .*docker\.io' "$FAKE/log"
  assert_output 1
}

@test "docker-engine.sh --env on a machine whose Docker can build and has Compose v2: nothing installed" {
  # A client with buildx and the compose plugin whose engine answers (Docker Desktop, a CI runner).
  fake docker 'echo "path-client $*" >>"$FAKE/log"'
  run --separate-stderr "$ROOT/scripts/docker-engine.sh" --env
  assert_success
  assert_output "export DOCKER=$FAKE/bin/docker DOCKER_BUILDKIT=1 COMPOSE=$FAKE/bin/docker\\ compose"
  eval "$output"
  assert_equal "$COMPOSE" "$FAKE/bin/docker compose"
  run grep -c -e '^apt-get' -e '^dockerd' "$FAKE/log"
  assert_output 0
}
