// The production overlay deploys an image pinned by digest: scripts/release.sh prints the images
// entry to paste after a push, and the overlay with that entry renders the pushed digest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agent, ROOT } from './lib/manifests.mjs';
import { render } from './tools/index.mjs';

const REGISTRY = '127.0.0.1:5000/team/ai-agent-service';
const DIGEST = `sha256:${'3f'.repeat(32)}`;
const OVERLAYS = join(ROOT, 'deploy/kubernetes/overlays');

/** A docker client that knows one local image and answers every push with the same digest. */
function fakeDocker(dir) {
  const path = join(dir, 'docker');
  writeFileSync(
    path,
    `#!/bin/sh\ncase $1 in push) echo "latest: digest: ${DIGEST} size: 1234" ;; esac\nexit 0\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** stderr of a release that pushes SKIP_BUILD's local image through the fake client. */
function releaseLog(dir) {
  const run = spawnSync('bash', [join(ROOT, 'scripts/release.sh')], {
    env: {
      PATH: process.env.PATH,
      REGISTRY,
      VERSION: '1.2.3',
      SKIP_BUILD: '1',
      DOCKER: fakeDocker(dir),
    },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stderr;
}

test('the images entry release.sh prints pins the production overlay to the pushed digest', (t) => {
  const tmp = mkdtempSync(join(OVERLAYS, '.pin-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const lines = releaseLog(tmp).split('\n');
  const at = lines.findIndex((l) => l.includes('pin it:'));
  assert.ok(at >= 0, 'release.sh says how to pin what it pushed');
  const entry = lines.slice(at + 1, at + 4);
  assert.deepEqual(entry, [
    '  - name: ghcr.io/example/ai-agent-service',
    `    newName: ${REGISTRY}`,
    `    digest: ${DIGEST}`,
  ]);

  // A sibling of the production overlay, so that its relative paths (../../base) still hold.
  const overlay = tmp;
  cpSync(join(OVERLAYS, 'production'), overlay, { recursive: true });
  const file = join(overlay, 'kustomization.yaml');
  const kustomization = readFileSync(file, 'utf8');
  const current = /^images:\n(( {2}- .*\n)( {4}.*\n)*)/m.exec(kustomization);
  assert.ok(current, 'the overlay has one images entry to replace');
  writeFileSync(file, kustomization.replace(current[1], `${entry.join('\n')}\n`));
  const { container } = agent(render(overlay));
  assert.equal(container.image, `${REGISTRY}@${DIGEST}`);
});

test('docs/kubernetes.md tells how to pin the production image by digest', () => {
  const guide = readFileSync(join(ROOT, 'docs/kubernetes.md'), 'utf8');
  assert.match(guide, /scripts\/release\.sh[^\n]*\n?[^\n]*digest/);
});
