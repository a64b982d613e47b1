# shellcheck shell=bash
# Sourced by scripts that install Debian packages on a bare machine (root, Debian 12).
#
# apt_ensure PKG...: installs the packages that are not installed yet, with one `apt-get update`
# first (a fresh machine may have no package lists at all). Prints what it did on stderr.
apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_ensure() {
  local missing=() pkg
  for pkg; do apt_installed "$pkg" || missing+=("$pkg"); done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || {
    printf 'missing Debian packages (%s): install them as root\n' "${missing[*]}" >&2
    return 1
  }
  printf '[apt] installing %s\n' "${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
