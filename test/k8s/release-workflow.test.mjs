// The release workflow keeps scripts/release.sh's tag rules and publishes what the release path
// promises: only what passed CI, built on the pinned Node, for a tag that is package.json's version,
// with its CHANGELOG section as notes; both architectures, a keyless signature, Docker Hub only
// when its secrets are set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYaml } from './tools/index.mjs';
import { ROOT } from './lib/manifests.mjs';

const readWorkflow = (name) =>
  parseYaml(readFileSync(join(ROOT, '.github/workflows', name), 'utf8'))[0];
const workflow = readWorkflow('release.yml');
const ci = readWorkflow('ci.yml');
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

/** Every job a job waits for, directly or through the jobs it needs. */
function upstream(jobs, name, seen = new Set()) {
  for (const need of [jobs[name].needs ?? []].flat()) {
    if (!seen.has(need)) upstream(jobs, need, seen.add(need));
  }
  return seen;
}

test('a tag builds only after the whole CI workflow passed on it', () => {
  assert.ok('workflow_call' in ci.on, 'ci.yml can be called by another workflow');
  const calls = Object.entries(workflow.jobs).filter(
    ([, job]) => job.uses === './.github/workflows/ci.yml',
  );
  assert.equal(calls.length, 1, 'the release calls ci.yml');
  const [ciJob] = calls[0];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const builds = (job.steps ?? []).some((s) => s.uses?.startsWith('docker/build-push-action@'));
    if (builds) assert.ok(upstream(workflow.jobs, name).has(ciJob), `${name} needs ${ciJob}`);
  }
});

test('a tag is checked against package.json and CHANGELOG.md before anything is built', () => {
  const [name, check] = Object.entries(workflow.jobs).find(([, job]) =>
    (job.steps ?? []).some((s) =>
      /scripts\/release-notes\.sh "\$GITHUB_REF_NAME"/.test(s.run ?? ''),
    ),
  );
  assert.ok(check, 'a job runs scripts/release-notes.sh on the tag');
  assert.ok(upstream(workflow.jobs, 'image').has(name), `the image job needs ${name}`);
  const publish = Object.entries(workflow.jobs).find(([, job]) =>
    (job.steps ?? []).some((s) =>
      /gh release create .*--notes-file release-notes\.md/s.test(s.run ?? ''),
    ),
  );
  assert.ok(publish, 'the release notes are the checked CHANGELOG section');
  assert.ok(upstream(workflow.jobs, publish[0]).has('image'), 'notes are published after the push');
});

test('every release build runs the Node pinned in .node-version', () => {
  const node = steps.find((s) => s.id === 'node');
  assert.match(node.run, /\$\(cat \.node-version\)/);
  const builds = step('docker/build-push-action@');
  assert.ok(builds.length >= 2);
  for (const build of builds) {
    const args = lines(build.with['build-args']);
    assert.ok(args.includes('NODE_IMAGE=node:${{ steps.node.outputs.version }}-bookworm-slim'));
    assert.ok(args.includes('PINNED_NODE_VERSION=${{ steps.node.outputs.version }}'));
  }
});
