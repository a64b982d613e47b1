#!/usr/bin/env bash
# Build the production image and push it under its semver tags.
#
#   REGISTRY=registry.example.com/team/ai-agent-service VERSION=1.2.3 scripts/release.sh [--dry-run]
#
# VERSION (default: package.json's version; a leading "v" is accepted) must be semver 2.0:
#   1.2.3       → 1.2.3, 1.2, 1, latest
#   1.2.0-rc.1  → 1.2.0-rc.1 only (pre-releases never move a floating tag)
# Build metadata (1.2.3+build.5) is refused: "+" is not allowed in an image tag.
#
# --dry-run    validate and print the tags, build nothing, push nothing
# Environment: REGISTRY (required: the repository to push to, no tag), NODE_IMAGE (default
# node:<.node-version>-bookworm-slim) / RUNTIME_IMAGE (passed to the build when set), SKIP_BUILD=1 (push an existing local image
# $LOCAL_IMAGE, default ai-agent-service:$VERSION), CA_BUNDLE (CA file npm must trust inside the
# build, passed as a BuildKit secret; default: the system bundle if present), SOURCE_URL (OCI
# source label; default: the git remote "origin" as https), DOCKER (client; default: see
# scripts/lib/docker-client.sh, chosen only when something is built or pushed). The Node version
# comes from .node-version. Prints the pushed digest as REGISTRY@sha256:... on the last line, and on
# stderr the images entry that pins it in the production overlay.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/docker-client.sh
. "$ROOT/scripts/lib/docker-client.sh"
# shellcheck source=scripts/lib/version.sh
. "$ROOT/scripts/lib/version.sh"
DRY_RUN=0

log() { printf '[release] %s\n' "$*" >&2; }
die() { printf '[release] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,21s/^# \{0,1\}//p' "$0"; }

while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

export DOCKER_BUILDKIT=1

REGISTRY=${REGISTRY:-}
[[ -n $REGISTRY ]] || die "REGISTRY is required, e.g. REGISTRY=127.0.0.1:5000/ai-agent-service"
REGISTRY=${REGISTRY%/}
[[ $REGISTRY == */* ]] || die "REGISTRY must name a repository, e.g. ghcr.io/OWNER/ai-agent-service: $REGISTRY"
[[ ${REGISTRY##*/} != *[:@]* ]] || die "REGISTRY must not include a tag or digest: $REGISTRY"
[[ $REGISTRY =~ ^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?$ ]] || die "not a valid repository name (lower case): $REGISTRY"

VERSION=${VERSION:-$(node -p "require('$ROOT/package.json').version" 2>/dev/null || true)}
[[ -n $VERSION ]] || die "VERSION is required (e.g. VERSION=1.2.3)"
version_parse "$VERSION" || die "$VERSION_ERROR"

if [[ $VERSION == *-* ]]; then
  TAGS=("$VERSION")
else
  TAGS=("$MAJOR.$MINOR.$PATCH" "$MAJOR.$MINOR" "$MAJOR" latest)
fi
log "version $VERSION → ${TAGS[*]} on $REGISTRY"
if ((DRY_RUN)); then
  for tag in "${TAGS[@]}"; do printf '%s:%s\n' "$REGISTRY" "$tag"; done
  exit 0
fi

DOCKER=$(docker_client) || die "no docker client (run scripts/docker-engine.sh on a Debian host, or set DOCKER)"
LOCAL_IMAGE=${LOCAL_IMAGE:-ai-agent-service:$VERSION}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  revision=unknown
  source_url=${SOURCE_URL:-}
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    revision=$(git -C "$ROOT" rev-parse HEAD)
    [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null) ]] && revision+="-dirty"
    if [[ -z $source_url ]]; then
      source_url=$(git -C "$ROOT" remote get-url origin 2>/dev/null || true)
      source_url=$(sed -E 's#^git@([^:]+):#https://\1/#; s#\.git$##' <<<"$source_url")
    fi
  fi
  args=(--build-arg "PINNED_NODE_VERSION=$(cat "$ROOT/.node-version")" --build-arg "VERSION=$VERSION" --build-arg "REVISION=$revision"
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg "SOURCE=$source_url")
  # The build checks that the Node in NODE_IMAGE is the pinned one: by default, the image of that version.
  args+=(--build-arg "NODE_IMAGE=${NODE_IMAGE:-node:$(cat "$ROOT/.node-version")-bookworm-slim}")
  [[ -n ${RUNTIME_IMAGE:-} ]] && args+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")
  ca=${CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}
  [[ -n $ca && -r $ca ]] && args+=(--secret "id=ca,src=$ca")
  log "building $LOCAL_IMAGE (target prod, revision $revision)"
  "$DOCKER" build -f "$ROOT/docker/Dockerfile" --target prod "${args[@]}" -t "$LOCAL_IMAGE" "$ROOT" >&2
fi
"$DOCKER" image inspect "$LOCAL_IMAGE" >/dev/null 2>&1 || die "local image $LOCAL_IMAGE not found"

digest=""
for tag in "${TAGS[@]}"; do
  "$DOCKER" tag "$LOCAL_IMAGE" "$REGISTRY:$tag"
  log "pushing $REGISTRY:$tag"
  out=$("$DOCKER" push "$REGISTRY:$tag" 2>&1) || { printf '%s\n' "$out" >&2; die "push of $REGISTRY:$tag failed"; }
  d=$(grep -o 'digest: sha256:[0-9a-f]*' <<<"$out" | head -n 1 | cut -d' ' -f2)
  [[ -n $d ]] || { printf '%s\n' "$out" >&2; die "no digest in the push output of $REGISTRY:$tag"; }
  if [[ -n $digest && $d != "$digest" ]]; then die "tags got different digests ($digest, $d)"; fi
  digest=$d
done
log "pushed ${#TAGS[@]} tag(s): ${TAGS[*]}"
# Deploy what was pushed, not a tag that can move: the production overlay's images entry, by digest.
base_image=$(sed -n 's/^ *image: *//p' "$ROOT/deploy/kubernetes/base/deployment.yaml" | head -n 1)
log "pin it: replace the images entry of deploy/kubernetes/overlays/production/kustomization.yaml with"
printf '  - name: %s\n    newName: %s\n    digest: %s\n' "${base_image%:*}" "$REGISTRY" "$digest" >&2
printf '%s@%s\n' "$REGISTRY" "$digest"
