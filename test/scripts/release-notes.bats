#!/usr/bin/env bats
# scripts/release-notes.sh, which the release workflow runs on a tag before building anything: the
# same version rule as scripts/release.sh, the tag must be package.json's version, and the notes
# are that version's CHANGELOG.md section. Each test works in a copy of the scripts with a
# package.json and CHANGELOG.md of its own. (npm run test:scripts)

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# repo VERSION [CHANGELOG_TEXT]: a project copy whose package.json says VERSION.
repo() {
  REPO=$BATS_TEST_TMPDIR/repo
  mkdir -p "$REPO/scripts/lib"
  cp "$ROOT/scripts/release.sh" "$ROOT/scripts/release-notes.sh" "$REPO/scripts/"
  cp "$ROOT/scripts/lib/"*.sh "$REPO/scripts/lib/"
  printf '{"name": "x", "version": "%s"}\n' "$1" >"$REPO/package.json"
  printf '%s\n' "${2:-"# Changelog

## [Unreleased]

## [$1] - 2026-12-01

### Fixed

- Something for $1.

[$1]: https://example.test/$1"}" >"$REPO/CHANGELOG.md"
}

@test "a tag of package.json's version prints its CHANGELOG section, without heading or links" {
  repo 1.4.0
  run --separate-stderr "$REPO/scripts/release-notes.sh" v1.4.0
  assert_success
  assert_output "$(printf '### Fixed\n\n- Something for 1.4.0.')"
}

@test "release-notes.sh accepts and refuses exactly the versions release.sh does" {
  local v notes image
  for v in 1.2.3 v1.2.3 0.0.1 1.2.0-rc.1 v2.0.0-beta.2.x 1.2 01.2.3 1.02.3 1.2.3-beta..1 1.2.3-01 latest 1.2.3+build v; do
    repo "${v#v}"
    notes=0 image=0
    "$REPO/scripts/release-notes.sh" "$v" >/dev/null 2>&1 || notes=$?
    REGISTRY=example.test/team/agent VERSION=$v "$REPO/scripts/release.sh" --dry-run >/dev/null 2>&1 || image=$?
    assert_equal "$v: notes $notes" "$v: notes $image"
  done
}

@test "refuses a tag that is not package.json's version" {
  repo 1.4.0
  run "$REPO/scripts/release-notes.sh" v1.4.1
  assert_failure
  assert_output --partial "tag v1.4.1 is not package.json's version (1.4.0)"
}

@test "refuses a version without a CHANGELOG section, or with an empty one" {
  repo 1.4.0 "$(printf '# Changelog\n\n## [1.3.0] - 2026-11-01\n\n- Older.\n')"
  run "$REPO/scripts/release-notes.sh" v1.4.0
  assert_failure
  assert_output --partial "CHANGELOG.md has no section '## [1.4.0] - YYYY-MM-DD'"
  repo 1.4.0 "$(printf '# Changelog\n\n## [1.4.0] - 2026-12-01\n\n## [1.3.0] - 2026-11-01\n\n- Older.\n')"
  run "$REPO/scripts/release-notes.sh" v1.4.0
  assert_failure
  assert_output --partial "section of 1.4.0 is empty"
}

@test "the project's CHANGELOG.md has notes for package.json's version" {
  local version
  version=$(node -p "require('$ROOT/package.json').version")
  run --separate-stderr "$ROOT/scripts/release-notes.sh" "v$version"
  assert_success
  assert_output --partial "- "
}
