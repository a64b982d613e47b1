#!/usr/bin/env bash
# The replica suite (npm run test:replicas): three production containers behind HAProxy, rolled
# one at a time under load. Root on Debian 12; installs HAProxy when missing.
#
# Environment: ROLL_RATE (200 req/s), ROLL_SECONDS (75), K8S_TEST_IMAGE to use an image that is
# already built, and the image build's (test/k8s/lib/prod-image.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash test/k8s/lib/tools.sh >/dev/null
# The docker client is chosen after the engine is installed and started (see scripts/README.md).
DOCKER=$(scripts/docker-engine.sh)
export DOCKER
K8S_TEST_IMAGE=${K8S_TEST_IMAGE:-$(bash test/k8s/lib/prod-image.sh ai-agent-service-k8s:test)}
export K8S_TEST_IMAGE
node --test --test-concurrency=1 test/replicas/rolling-update.test.mjs
