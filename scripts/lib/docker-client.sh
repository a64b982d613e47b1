# shellcheck shell=bash
# Sourced by every script that runs Docker: which client drives the engine.
#
# docker_client prints the client to use. Call it only once scripts/docker-engine.sh has run (or the
# engine is known to be there): on a fresh Debian machine the only `docker` on PATH is a newer client
# without buildx, which fails every BuildKit build; Debian's client, which drives the daemon's
# built-in BuildKit, exists only after apt has installed docker.io.
#
#   DOCKER          an explicit client; wins
#   DEBIAN_DOCKER   where Debian's client is installed (default /usr/bin/docker; the script tests
#                   point it at a path that does not exist yet to play a fresh machine)
docker_client() {
  if [[ -n ${DOCKER:-} ]]; then
    printf '%s\n' "$DOCKER"
    return 0
  fi
  local debian=${DEBIAN_DOCKER:-/usr/bin/docker} found
  if [[ -x $debian ]]; then
    printf '%s\n' "$debian"
    return 0
  fi
  # Any other client will do if it can build: one with the buildx plugin (GitHub runners, Docker Desktop).
  if found=$(command -v docker) && "$found" buildx version >/dev/null 2>&1; then
    printf '%s\n' "$found"
    return 0
  fi
  printf 'no docker client that can build with BuildKit (%s is missing%s): run scripts/docker-engine.sh, which installs docker.io, or set DOCKER\n' \
    "$debian" "${found:+, $found has no buildx}" >&2
  return 1
}
