#!/usr/bin/env bash
# Builds the production image (docker/Dockerfile, target prod) for the Kubernetes and replica
# suites and prints its tag. Reuses the build cache, so a second run takes seconds.
#
#   test/k8s/lib/prod-image.sh [TAG]     (default TAG: ai-agent-service-k8s:test)
#
# Root and Debian 12: starts the engine through scripts/docker-engine.sh (which installs it on a
# fresh machine and prints the client to use) and builds the local base images
# (scripts/base-images.sh) when they are missing. Environment: NODE_IMAGE / RUNTIME_IMAGE
# (default: the local stand-ins), SKIP_BASE_IMAGES=1 to use them as given, IMAGE_VERSION (0.0.0-k8s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
TAG=${1:-ai-agent-service-k8s:test}
export DOCKER_BUILDKIT=1
: "${NODE_IMAGE:=local/node:24-bookworm-slim}"
: "${RUNTIME_IMAGE:=local/distroless-nodejs24:nonroot}"
export NODE_IMAGE RUNTIME_IMAGE
LOG=$(mktemp "${TMPDIR:-/tmp}/prod-image.XXXXXX")
trap 'rm -f "$LOG"' EXIT

# The client is chosen only after the engine exists (docker.io brings the BuildKit-capable one).
[[ -n ${DOCKER:-} ]] || DOCKER=$("$ROOT/scripts/docker-engine.sh")
if [[ ${SKIP_BASE_IMAGES:-0} != 1 ]] &&
  ! { "$DOCKER" image inspect "$NODE_IMAGE" && "$DOCKER" image inspect "$RUNTIME_IMAGE"; } >/dev/null 2>&1; then
  echo "[prod-image] building the local base images" >&2
  "$ROOT/scripts/base-images.sh" >"$LOG" 2>&1 || {
    tail -n 20 "$LOG" >&2
    exit 1
  }
fi

secret=()
[[ -r /etc/ssl/certs/ca-certificates.crt ]] && secret=(--secret 'id=ca,src=/etc/ssl/certs/ca-certificates.crt')
if ! "$DOCKER" build -f "$ROOT/docker/Dockerfile" --target prod --progress=plain \
  --build-arg NODE_IMAGE --build-arg RUNTIME_IMAGE --build-arg "VERSION=${IMAGE_VERSION:-0.0.0-k8s}" \
  --build-arg "REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg "SOURCE=file://$ROOT" \
  "${secret[@]}" -t "$TAG" "$ROOT" >"$LOG" 2>&1; then
  tail -n 30 "$LOG" >&2
  echo "[prod-image] docker build --target prod failed" >&2
  exit 1
fi
echo "$TAG"
