// Packages the bundle leaves in node_modules/ beside it, because OpenTelemetry instruments them
// as they load (require hooks for CommonJS, the import-in-the-middle loader for ES modules): a
// module esbuild inlined into the bundle never passes through those hooks, so express, Nest,
// pg or ioredis would go untraced. The SDK itself stays a package too (its loader hook is a
// file it registers by name). Each package's whole dependency closure is external with it, so
// the bundle and node_modules never hold two copies of one package (two copies of
// @nestjs/common or rxjs would break Nest's identity checks).
import { cp, mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

/** What is traced through its package (see libs/platform/src/telemetry/instrumentations.ts). */
export const INSTRUMENTED = [
  '@nestjs/core',
  '@nestjs/common',
  '@nestjs/platform-express',
  'express',
  'pg',
  'ioredis',
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-nestjs-core',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-ioredis',
  '@opentelemetry/instrumentation-undici',
];

/** Folder of an installed package, seen from `fromDir`; undefined when it is not installed. */
function packageDir(name, fromDir) {
  // Node's own lookup, done by hand: many packages do not export their package.json.
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed packages INSTRUMENTED needs at run time: each root, its dependencies, optional
 * dependencies and installed peers, transitively. Returns top-level folder → package name.
 */
export function externalClosure(root) {
  const found = new Map();
  const visit = (name, fromDir) => {
    const dir = packageDir(name, fromDir);
    if (dir === undefined || found.has(dir)) return;
    found.set(dir, name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const names = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ];
    for (const dep of names) visit(dep, dir);
  };
  for (const name of INSTRUMENTED) visit(name, root);
  return found;
}

/** esbuild `external` patterns for the closure: each name and its subpaths. */
export function externalPatterns(closure) {
  const names = new Set(closure.values());
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

// TypeScript sources and declarations, source maps and docs are not needed at run time.
const SKIPPED = /(\.[cm]?ts|\.map|\.md|\.markdown|[\\/]\.bin)$/i;

/** Copies the closure into `out`/node_modules, keeping npm's layout (nested folders included). */
export async function copyClosure(root, closure, out) {
  const modules = join(root, 'node_modules');
  for (const dir of closure.keys()) {
    const inside = relative(modules, dir);
    // A package nested in another's node_modules comes along with its parent's folder.
    if (inside.startsWith('..') || inside.split(sep).includes('node_modules')) continue;
    const dest = join(out, 'node_modules', inside);
    await mkdir(dirname(dest), { recursive: true });
    await cp(dir, dest, { recursive: true, filter: (src) => !SKIPPED.test(src) });
  }
}
