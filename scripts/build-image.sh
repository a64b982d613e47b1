#!/usr/bin/env bash
# Build the service's image for compose: the `prod` (default) or `dev` target of docker/Dockerfile.
#
#   scripts/build-image.sh [prod|dev]
#
# What compose would pass, plus what docker-compose 1.29 cannot: BuildKit with the system CA bundle
# as a build secret (npm behind a TLS-intercepting proxy), PINNED_NODE_VERSION from .node-version,
# VERSION from package.json (so /health reports it), REVISION from git. Settings come from the
# environment, else from the project's .env (as compose reads them): NODE_IMAGE, RUNTIME_IMAGE
# (local base images, written there by scripts/base-images.sh), AGENT_IMAGE (prod tag, default
# ai-agent-service:local), AGENT_DEV_IMAGE (dev tag, default ai-agent-service:dev). DOCKER: the
# client (scripts/docker-engine.sh --env sets it), ENV_FILE (default .env), CA_BUNDLE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/docker-client.sh
. "$ROOT/scripts/lib/docker-client.sh"
# shellcheck source=scripts/lib/env-file.sh
. "$ROOT/scripts/lib/env-file.sh"
ENV_FILE=${ENV_FILE:-$ROOT/.env}

die() { printf '[build-image] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }

target=${1:-prod}
case $target in
  prod | dev) ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

# setting NAME DEFAULT: the environment's value, else .env's, else DEFAULT (compose's precedence).
setting() { local v=${!1:-}; [[ -n $v ]] || v=$(env_file_get "$ENV_FILE" "$1"); printf '%s\n' "${v:-$2}"; }

tag=$(setting AGENT_IMAGE ai-agent-service:local)
[[ $target == dev ]] && tag=$(setting AGENT_DEV_IMAGE ai-agent-service:dev)
args=(--build-arg "PINNED_NODE_VERSION=$(cat "$ROOT/.node-version")"
  --build-arg "VERSION=$(node -p "require('$ROOT/package.json').version")"
  --build-arg "REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
for name in NODE_IMAGE RUNTIME_IMAGE; do
  value=$(setting "$name" "")
  [[ -z $value ]] || args+=(--build-arg "$name=$value")
done
ca=${CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}
[[ -n $ca && -r $ca ]] && args+=(--secret "id=ca,src=$ca")

DOCKER=$(docker_client) || die "no docker client: run scripts/docker-engine.sh first, or set DOCKER"
printf '[build-image] %s: target %s (%s)\n' "$tag" "$target" "$DOCKER" >&2
DOCKER_BUILDKIT=1 "$DOCKER" build -f "$ROOT/docker/Dockerfile" --target "$target" "${args[@]}" -t "$tag" "$ROOT"
