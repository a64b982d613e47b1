// The Node version the project states is the one its runtime dependencies accept: package.json's
// `engines`, `.node-version` (the image's Node) and the README's quick start say the same thing.
// Reads the lockfile, so it needs no node_modules of the dependencies it checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

const ROOT = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, ROOT), 'utf8');
const pkg = JSON.parse(read('package.json'));
const lock = JSON.parse(read('package-lock.json'));
const ours = pkg.engines.node;

/** Lockfile entries installed by `npm ci --omit=dev`: what the service runs with. */
function runtimePackages() {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !entry.dev)
    .map(([path, entry]) => ({ name: path.replace(/^.*node_modules\//, ''), entry }));
}

test('every runtime dependency accepts every Node that engines.node accepts', () => {
  assert.ok(semver.validRange(ours), `engines.node is a range: ${ours}`);
  const refusing = runtimePackages()
    .filter(({ entry }) => entry.engines?.node && !semver.subset(ours, entry.engines.node))
    .map(({ name, entry }) => `${name}@${entry.version} needs node ${entry.engines.node}`);
  assert.deepEqual(refusing, [], `engines.node is ${ours}`);
});

test('the check catches a runtime dependency that asks for more', () => {
  const { entry } = runtimePackages().find(({ name }) => name === 'nestjs-pino');
  assert.ok(entry, 'nestjs-pino is a runtime dependency');
  assert.equal(semver.subset('>=20.19', entry.engines.node), false);
});

test('.node-version (the image and CI) satisfies engines.node', () => {
  const pinned = read('.node-version').trim();
  assert.ok(semver.valid(pinned), `.node-version is a version: ${pinned}`);
  assert.ok(semver.satisfies(pinned, ours), `${pinned} satisfies ${ours}`);
});

test("the README's quick start states engines.node", () => {
  const quickStart = read('README.md').split('\n## Quick start')[1].split('\n## ')[0];
  assert.ok(quickStart.includes(`\`${ours}\``), `the quick start names \`${ours}\``);
});
