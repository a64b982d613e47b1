# shellcheck shell=bash disable=SC2034 # VERSION, VERSION_ERROR, MAJOR, MINOR, PATCH are for the caller
# Sourced by scripts/release.sh and scripts/release-notes.sh: the one rule for release versions, so
# an image release and a tag release accept and refuse the same versions.
#
# version_parse VERSION: semver 2.0 without build metadata ("+" is not allowed in an image tag);
# a leading "v" is accepted. On success sets VERSION (without the "v"), MAJOR, MINOR, PATCH and
# returns 0; otherwise sets VERSION_ERROR to the reason and returns 1.
version_parse() {
  VERSION=${1#v}
  VERSION_ERROR=""
  # semver.org's regular expression, without build metadata.
  local num='(0|[1-9][0-9]*)' pre='(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)'
  local semver="^${num}\.${num}\.${num}(-${pre}(\.${pre})*)?$"
  if [[ -z $VERSION ]]; then
    VERSION_ERROR="a version is required (e.g. 1.2.3)"
    return 1
  fi
  if [[ $VERSION == *+* ]]; then
    VERSION_ERROR="build metadata is not supported in image tags: $VERSION"
    return 1
  fi
  if ! [[ $VERSION =~ $semver ]]; then
    VERSION_ERROR="not a semantic version (X.Y.Z or X.Y.Z-pre.N): $VERSION"
    return 1
  fi
  MAJOR=${BASH_REMATCH[1]}
  MINOR=${BASH_REMATCH[2]}
  PATCH=${BASH_REMATCH[3]}
}
