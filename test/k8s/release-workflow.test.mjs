// The release workflow keeps scripts/release.sh's tag rules and publishes what the release path
// promises: both architectures, a keyless signature, Docker Hub only when its secrets are set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYaml } from './tools/index.mjs';
import { ROOT } from './lib/manifests.mjs';

const workflow = parseYaml(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8'))[0];
const steps = workflow.jobs.image.steps;
const step = (uses) => steps.filter((s) => s.uses?.startsWith(uses));
const lines = (text) =>
  String(text)
    .trim()
    .split('\n')
    .map((l) => l.trim());

function scriptTags(version) {
  const out = execFileSync('bash', [join(ROOT, 'scripts/release.sh'), '--dry-run'], {
    env: { ...process.env, REGISTRY: 'example.test/team/agent', VERSION: version },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return lines(out).map((l) => l.split(':').pop());
}

test('the workflow tags like scripts/release.sh: semver patterns, latest only for releases', () => {
  const meta = step('docker/metadata-action@')[0].with;
  assert.deepEqual(lines(meta.tags), [
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}}',
    'type=semver,pattern={{major}}',
  ]);
  // metadata-action: a pre-release only gets {{version}}; latest=auto skips pre-releases.
  assert.deepEqual(lines(meta.flavor), ['latest=auto']);
  assert.deepEqual(scriptTags('1.2.3'), ['1.2.3', '1.2', '1', 'latest']);
  assert.deepEqual(scriptTags('1.2.0-rc.1'), ['1.2.0-rc.1']);
  assert.deepEqual(workflow.on.push.tags, ['v*.*.*']);
});

test('the workflow pushes amd64 and arm64, signs with cosign keyless, and adds Docker Hub only with its secrets', () => {
  assert.equal(step('docker/setup-qemu-action@').length, 1);
  const push = steps.find(
    (s) => s.uses?.startsWith('docker/build-push-action@') && s.with.push === true,
  );
  assert.deepEqual(push.with.platforms.split(','), ['linux/amd64', 'linux/arm64']);
  assert.equal(workflow.jobs.image.permissions['id-token'], 'write');
  assert.equal(step('sigstore/cosign-installer@').length, 1);
  const sign = steps.find((s) => /cosign sign --yes/.test(s.run ?? ''));
  assert.match(sign.run, /@\$\{DIGEST\}/, 'signs the digest, not a tag');
  const hubLogin = steps.find(
    (s) => s.uses?.startsWith('docker/login-action@') && !s.with.registry,
  );
  assert.match(hubLogin.if, /dockerhub != ''/);
  assert.match(workflow.jobs.image.env.DOCKERHUB_TOKEN, /secrets\.DOCKERHUB_TOKEN/);
  const meta = step('docker/metadata-action@')[0].with;
  assert.match(meta.images, /enable=\$\{\{ steps\.image\.outputs\.dockerhub != '' \}\}/);
});
