#!/usr/bin/env bash
# Start a local Docker engine on a Debian 12 host (root, no systemd). Idempotent.
#
#   scripts/docker-engine.sh            install (if missing) and start dockerd, wait until it answers
#   scripts/docker-engine.sh registry   same, then start a plain-HTTP registry on 127.0.0.1:5000
#   eval "$(scripts/docker-engine.sh --env)"   same as the first, then set DOCKER, COMPOSE and
#                                       DOCKER_BUILDKIT in the calling shell (the guide's first step)
#
# Prints the docker client to use on stdout (its only output there; progress goes to stderr), so
# callers pick their client only after the engine exists:
#   DOCKER=$(scripts/docker-engine.sh); export DOCKER DOCKER_BUILDKIT=1
# With --env it prints shell assignments instead, COMPOSE being `DOCKER compose` where the Compose
# v2 plugin exists, else docker-compose (1.29 here). On a machine whose Docker already answers
# through a client that can build, with a Compose, nothing is installed and root is not needed.
# The client is Debian's docker.io (20.10), which drives the daemon's built-in BuildKit; a newer
# client on PATH without buildx fails every build (see scripts/lib/docker-client.sh).
# Environment: DOCKERD_TIMEOUT (s, default 60), DOCKERD_LOG (default /var/log/dockerd.log),
# REGISTRY_ADDR (default 127.0.0.1:5000), REGISTRY_DIR (default /var/lib/docker-registry-local),
# DOCKER / DEBIAN_DOCKER (client choice, see scripts/lib/docker-client.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/apt.sh
. "$HERE/lib/apt.sh"
# shellcheck source=scripts/lib/docker-client.sh
. "$HERE/lib/docker-client.sh"

DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
REGISTRY_ADDR=${REGISTRY_ADDR:-127.0.0.1:5000}
REGISTRY_DIR=${REGISTRY_DIR:-/var/lib/docker-registry-local}
REGISTRY_LOG=${REGISTRY_LOG:-/var/log/docker-registry.log}
# What the engine, compose, the local registry and the base-image builder need.
PACKAGES=(docker.io docker-compose docker-registry mmdebstrap curl)
CLIENT=""

log() { printf '[engine] %s\n' "$*" >&2; }
die() { printf '[engine] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,21s/^# \{0,1\}//p' "$0"; }

docker_answers() { timeout 10 "$CLIENT" info >/dev/null 2>&1; }

# Wait for a command to succeed, polling twice a second, for at most $1 seconds.
wait_for() {
  local timeout=$1 i
  shift
  for ((i = 0; i < timeout * 2; i++)); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  return 1
}

start_dockerd() {
  if docker_answers; then
    log "dockerd already answering ($("$CLIENT" version -f '{{.Server.Version}}'))"
    return
  fi
  local pid=""
  [[ -r /var/run/docker.pid ]] && pid=$(cat /var/run/docker.pid)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    log "dockerd (pid $pid) is running but not answering yet; waiting"
  else
    # A pid file left by a killed daemon makes dockerd refuse to start.
    rm -f /var/run/docker.pid
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: the daemon must outlive this script and the shell that ran it.
    setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  if ! wait_for "$DOCKERD_TIMEOUT" docker_answers; then
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd did not answer within ${DOCKERD_TIMEOUT}s (see $DOCKERD_LOG)"
  fi
  log "dockerd answering ($("$CLIENT" version -f '{{.Server.Version}}'))"
}

registry_answers() { curl -fs -o /dev/null --max-time 3 "http://$REGISTRY_ADDR/v2/"; }

start_registry() {
  if registry_answers; then
    log "registry already answering on $REGISTRY_ADDR"
    return
  fi
  local config=$REGISTRY_DIR/config.yml
  mkdir -p "$REGISTRY_DIR/storage"
  cat >"$config" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
CONFIG
  log "starting docker-registry on $REGISTRY_ADDR (config: $config, log: $REGISTRY_LOG)"
  setsid docker-registry serve "$config" >>"$REGISTRY_LOG" 2>&1 </dev/null &
  if ! wait_for 20 registry_answers; then
    tail -n 20 "$REGISTRY_LOG" >&2 || true
    die "registry did not answer on $REGISTRY_ADDR within 20s"
  fi
  log "registry answering: push/pull $REGISTRY_ADDR/NAME:TAG"
}

# The Compose command that goes with $CLIENT: the v2 plugin, else the docker-compose program.
compose_command() {
  if "$CLIENT" compose version >/dev/null 2>&1; then
    printf '%s compose\n' "$CLIENT"
  elif command -v docker-compose >/dev/null; then
    command -v docker-compose
  else
    return 1
  fi
}

# Docker already usable as it is (Docker Desktop, a runner with buildx and Compose v2, or this
# script's earlier run): a client that can build, an engine that answers, a Compose.
already_usable() {
  CLIENT=$(docker_client 2>/dev/null) && docker_answers && compose_command >/dev/null
}

main() {
  local mode=engine env=0 arg
  for arg; do
    case $arg in
      engine) ;;
      registry) mode=registry ;;
      --env) env=1 ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  if [[ $mode == engine ]] && already_usable; then
    log "docker answers through $CLIENT: nothing to install or start"
  else
    [[ $(id -u) == 0 ]] || die "must run as root (installs packages, starts dockerd)"
    apt_ensure "${PACKAGES[@]}" || die "could not install ${PACKAGES[*]}"
    # Only now: before docker.io is installed, the client on PATH may be one that cannot build.
    CLIENT=$(docker_client) || die "no usable docker client after installing docker.io"
    start_dockerd
    if [[ $mode == registry ]]; then start_registry; fi
  fi
  if ((env)); then
    local compose
    compose=$(compose_command) || die "no Compose: neither '$CLIENT compose' nor docker-compose"
    log "ready: DOCKER=$CLIENT COMPOSE=$compose"
    printf 'export DOCKER=%q DOCKER_BUILDKIT=1 COMPOSE=%q\n' "$CLIENT" "$compose"
  else
    log "ready: export DOCKER_BUILDKIT=1 DOCKER=$CLIENT"
    printf '%s\n' "$CLIENT"
  fi
}

main "$@"
