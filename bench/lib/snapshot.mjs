// A private copy of the build, so that a rebuild during the run (`nest build` or `nest start
// --watch` in another terminal deletes dist/) cannot break or change what is being measured.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Copies ROOT/dist and ROOT/package.json (its "type": "module" makes dist/*.js ESM) into a
 * temporary folder whose node_modules links back to ROOT's; returns the folder, removed on exit.
 */
export function snapshotBuild(root) {
  const dir = mkdtempSync(join(tmpdir(), 'ai-agent-bench-build-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  if (existsSync(join(root, 'dist')))
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * Bundles the snapshot's service the way the production image does (docker/bundle.mjs, esbuild)
 * into a temporary folder with no node_modules above it; returns the folder, removed on exit.
 */
export function bundleBuild(root, snapshot) {
  const script = join(root, 'docker', 'bundle.mjs');
  if (!existsSync(script)) throw new Error('docker/bundle.mjs not found');
  const dir = mkdtempSync(join(tmpdir(), 'ai-agent-bench-bundle-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const entry = join(snapshot ?? root, 'dist', 'apps', 'agent-service', 'src', 'main.js');
  const args = [script, '--entry', entry, '--out', dir];
  execFileSync(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  return dir;
}

/**
 * Where a server row's script lives: `dist/...` in the build snapshot, `bundle/...` in the
 * bundle folder, anything else in ROOT.
 */
export function scriptPath(root, { snapshot, bundle } = {}, script) {
  if (snapshot && script.startsWith('dist/')) return join(snapshot, script);
  if (bundle && script.startsWith('bundle/')) return join(bundle, script.slice('bundle/'.length));
  return join(root, script);
}
