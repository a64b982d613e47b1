#!/usr/bin/env bash
# The Kubernetes suite (npm run test:k8s): offline checks of the manifests and the release workflow, then
# the probe contract test against the production image. Root on Debian 12 (Docker, apt-get).
#
#   test/k8s/run.sh              everything
#   test/k8s/run.sh --static     manifests and the release workflow only (no Docker)
#
# Shell scripts and workflows are linted by npm run lint:scripts.
#
# Environment: the image build's (test/k8s/lib/prod-image.sh), K8S_TEST_IMAGE to use an image
# that is already built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

echo "== tools"
bash test/k8s/lib/tools.sh >/dev/null

echo "== manifests"
node --test test/k8s/manifests.test.mjs test/k8s/image-pinning.test.mjs test/k8s/release-workflow.test.mjs

[[ ${1:-} == --static ]] && exit 0

echo "== probe contract (production image)"
# The docker client is chosen after the engine is installed and started (see scripts/README.md).
DOCKER=$(scripts/docker-engine.sh)
export DOCKER
K8S_TEST_IMAGE=${K8S_TEST_IMAGE:-$(bash test/k8s/lib/prod-image.sh ai-agent-service-k8s:test)}
export K8S_TEST_IMAGE
node --test --test-concurrency=1 test/k8s/probe-contract.test.mjs
