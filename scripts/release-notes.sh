#!/usr/bin/env bash
# Check a release tag and print its release notes: the section of CHANGELOG.md for that version.
#
#   scripts/release-notes.sh TAG        e.g. scripts/release-notes.sh v1.2.3 > notes.md
#
# Refuses (exit 1, the reason on stderr) a tag that scripts/release.sh would refuse (the same rule:
# scripts/lib/version.sh), a tag that is not package.json's version, and a version without a
# non-empty `## [X.Y.Z] - YYYY-MM-DD` section in CHANGELOG.md (Keep a Changelog). The release
# workflow runs it before anything is built, and publishes its output as the release notes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/version.sh
. "$ROOT/scripts/lib/version.sh"

die() { printf '[release-notes] error: %s\n' "$*" >&2; exit 1; }

(($# == 1)) || { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
tag=$1
version_parse "$tag" || die "$VERSION_ERROR"
package=$(node -p "require('$ROOT/package.json').version")
[[ $VERSION == "$package" ]] || die "tag $tag is not package.json's version ($package): bump package.json or tag v$package"

changelog=$ROOT/CHANGELOG.md
[[ -r $changelog ]] || die "no CHANGELOG.md"
# The section's lines, from its heading (excluded) to the next version heading or link references.
notes=$(awk -v v="$VERSION" '
  index($0, "## [" v "] - ") == 1 { found = 1; next }
  found && (/^## / || /^\[[^]]+\]: /) { exit }
  found { print }
  END { if (!found) exit 3 }
' "$changelog") || die "CHANGELOG.md has no section '## [$VERSION] - YYYY-MM-DD'"
notes=$(sed -e '/./,$!d' <<<"$notes")
[[ -n ${notes//[[:space:]]/} ]] || die "the CHANGELOG.md section of $VERSION is empty"
printf '%s\n' "$notes"
