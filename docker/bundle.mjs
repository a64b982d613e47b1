// Bundles the compiled service (tsc output in dist/) into a few ESM files for the prod image,
// so the image needs no full node_modules tree: ~95 MB of production dependencies become ~10 MB of
// code, plus the packages tracing instruments, kept as packages (see bundle-externals.mjs).
//
//   node docker/bundle.mjs [--entry dist/apps/agent-service/src/main.js] [--out dist/bundle]
//
// esbuild runs on tsc's output, not on the TypeScript sources: esbuild cannot emit decorator
// metadata, which Nest's dependency injection needs. What a plain bundle would break, and how
// this script keeps it working:
// - CommonJS dependencies call require(), __dirname and __filename: a banner defines them from
//   import.meta.url (they then point at the bundle's folder).
// - pino transports (LOG_FORMAT=pretty) run pino-pretty in a worker thread loaded from a file:
//   the workers are bundled as separate CommonJS files and announced to pino and thread-stream
//   through globalThis.__bundlerPathsOverrides (their documented bundler hook). The esbuild-plugin-pino
//   package does the same job but does not fit here (checked with 2.3.3): it accepts only
//   esbuild <= 0.25.8, its ES module entry calls require.resolve (undefined in ESM), and it bakes
//   the build-time output folder (/out/app) into the bundle, which then runs from /app.
// - TypeORM loads its driver with require(variable): the PostgreSQL driver is rewritten into a
//   literal require("pg") so it is bundled; the other drivers stay absent.
// - Terminus loads optional peers with import(variable): literal imports are spliced in for the
//   peers that are installed, so its TypeORM/HTTP indicators keep working if they are ever used.
// - @nestjs/swagger serves swagger-ui-dist's files from disk, found by require.resolve: the
//   package (assets only, no source maps) is copied next to the bundle as node_modules/.
// - The token counter reads gpt-tokenizer's ranks file (data/cl100k_base.tiktoken), found by
//   require.resolve: the file and the package.json that exports it are copied beside the bundle.
// - Lazy import()s stay lazy: with code splitting each becomes its own chunk (gpt-tokenizer's
//   encoding, the PostgreSQL and Redis clients). import() of a CommonJS package gets its named
//   exports, as in Node, through a small wrapper module.
// - Optional packages Nest and others probe for but the service does not install stay external;
//   they fail to resolve at run time exactly as they do without a bundler.
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyClosure, externalClosure, externalPatterns } from './bundle-externals.mjs';

const { values: args } = parseArgs({
  options: {
    entry: { type: 'string', default: 'dist/apps/agent-service/src/main.js' },
    out: { type: 'string', default: 'dist/bundle' },
    metafile: { type: 'boolean', default: false },
  },
});
const root = process.cwd();
const out = resolve(root, args.out);
const requireFromRoot = createRequire(join(root, 'package.json'));

const installed = (name) => {
  try {
    requireFromRoot.resolve(`${name}/package.json`);
    return true;
  } catch {
    try {
      requireFromRoot.resolve(name);
      return true;
    } catch {
      return false;
    }
  }
};

// Probed for at run time, never installed by this service (or not needed in production).
const OPTIONAL_EXTERNALS = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-fastify',
  '@nestjs/platform-socket.io',
  '@nestjs/graphql',
  '@fastify/static',
  '@fastify/*',
  'fastify-swagger',
  '@mikro-orm/*',
  '@nestjs/mongoose',
  '@nestjs/sequelize',
  '@nestjs/axios',
  '@grpc/*',
  'mongoose',
  'sequelize',
  'class-transformer/storage',
  'pg-native',
  'pg-cloudflare',
  'cloudflare:sockets',
  'typeorm-aurora-data-api-driver',
  'better-sqlite3',
  'mysql2',
  'mssql',
  'oracledb',
  'sql.js',
  'mongodb',
  'redis',
  'hdb-pool',
  '@sap/hana-client',
  '@sap/hana-client/*',
  '@google-cloud/spanner',
  'react-native-sqlite-storage',
  'expo-sqlite',
  'ioredis-mock',
  // Worker-thread entry points are separate output files, see below.
  'pino-pretty',
].filter((name) => name.includes('*') || !installed(name) || name === 'pino-pretty');

// Files the main bundle hands to pino / thread-stream by absolute path.
const WORKERS = {
  'thread-stream-worker': 'thread-stream/lib/worker.js',
  'pino-worker': 'pino/lib/worker.js',
  'pino/file': 'pino/file.js',
  'pino-pretty': 'pino-pretty',
};

const banner = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname, join as __bundleJoin } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

/** The banner of an output folder `depth` levels below the bundle's (workers sit in the bundle's). */
const workersBannerAt = (...up) =>
  [
    banner,
    'globalThis.__bundlerPathsOverrides = {',
    '  ...globalThis.__bundlerPathsOverrides,',
    ...Object.keys(WORKERS).map(
      (key) =>
        `  ${JSON.stringify(key)}: __bundleJoin(__dirname, ${[...up, workerFile(key)].map((p) => JSON.stringify(p)).join(', ')}),`,
    ),
    '};',
  ].join('\n');
const workersBanner = workersBannerAt();

function workerFile(key) {
  return `workers/${key.replace(/[^a-z0-9]+/gi, '-')}.cjs`;
}

/** Rewrites require(variable) / import(variable) call sites that a bundler cannot follow. */
const dynamicLoadsPlugin = {
  name: 'dynamic-loads',
  setup(b) {
    // TypeORM: PlatformTools.load(name) → literal requires for the installed drivers.
    b.onLoad(
      { filter: /[\\/]typeorm[\\/](browser[\\/])?platform[\\/]PlatformTools\.js$/ },
      async (a) => {
        let src = await readFile(a.path, 'utf8');
        const drivers = [
          'pg',
          'pg-query-stream',
          'ioredis',
          'redis',
          'mysql2',
          'better-sqlite3',
        ].filter(installed);
        const literal = drivers.map(
          (d) => `if (name === ${JSON.stringify(d)}) return require(${JSON.stringify(d)});`,
        );
        const marker = 'static load(name) {';
        if (!src.includes(marker)) throw new Error(`${a.path}: PlatformTools.load not found`);
        src = src.replace(marker, `${marker}\n${literal.join('\n')}\n`);
        return { contents: src, loader: 'js' };
      },
    );
    // Terminus: loadPackage(name) / assertPackages(names) → a table of literal imports.
    b.onLoad(
      { filter: /[\\/]@nestjs[\\/]terminus[\\/]dist[\\/]utils[\\/]checkPackage\.util\.js$/ },
      async (a) => {
        let src = await readFile(a.path, 'utf8');
        const peers = [
          '@nestjs/typeorm',
          'typeorm',
          '@nestjs/axios',
          '@nestjs/microservices',
        ].filter(installed);
        const table = `const __bundledPeers = {${peers
          .map((p) => `${JSON.stringify(p)}: () => import(${JSON.stringify(p)})`)
          .join(', ')}};\n`;
        src = table + src;
        src = src.replace(
          'import.meta.resolve(packageName);',
          'if (!(packageName in __bundledPeers)) throw new Error("not bundled");',
        );
        src = src.replace(
          'await import(packageName);',
          '__bundledPeers[packageName] ? await __bundledPeers[packageName]() : await import(packageName);',
        );
        return { contents: src, loader: 'js' };
      },
    );
  },
};

/**
 * import('cjs-package') in Node yields the CommonJS module's named exports (found by Node's
 * cjs-module-lexer) plus `default` = module.exports; an esbuild ES bundle would yield only
 * `default`. Dynamic imports of CommonJS packages are routed through a small ES wrapper that
 * exports both, e.g. `const { Redis } = await import('ioredis')`. The names are read by loading
 * the package once here, at build time.
 */
const dynamicCjsImportPlugin = {
  name: 'dynamic-cjs-import',
  setup(b) {
    const NS = 'dynamic-cjs-wrapper';
    b.onResolve({ filter: /^[^./]/ }, async (a) => {
      if (a.kind !== 'dynamic-import' || a.pluginData === NS) return undefined;
      const resolved = await b.resolve(a.path, {
        kind: 'import-statement',
        resolveDir: a.resolveDir,
        importer: a.importer,
        pluginData: NS,
      });
      if (resolved.errors.length > 0 || resolved.external || !(await isCommonJs(resolved.path))) {
        return undefined;
      }
      return {
        path: a.path,
        namespace: NS,
        pluginData: { resolveDir: a.resolveDir, file: resolved.path },
      };
    });
    b.onLoad({ filter: /.*/, namespace: NS }, (a) => {
      const exported = Object.keys(createRequire(a.pluginData.file)(a.pluginData.file)).filter(
        (name) => name !== 'default' && name !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(name),
      );
      const lines = [`const mod = require(${JSON.stringify(a.path)});`, 'export default mod;'];
      exported.forEach((name, i) => {
        lines.push(`const e${i} = mod[${JSON.stringify(name)}];`, `export { e${i} as ${name} };`);
      });
      return { contents: lines.join('\n'), resolveDir: a.pluginData.resolveDir, loader: 'js' };
    });
  },
};

/**
 * `import … from 'node:http'` in an ES module makes Node build the module's ES facade, which
 * reads every export of node:http, getters included: one of them loads Node's own bundled undici
 * (and node:http2 with it). Measured on Node 24: +13.5 MiB RSS and ~60–90 ms at start, for a
 * `fetch` the service never calls. `require('node:http')` builds no facade, so in the untraced
 * build every static ES import of node:http goes through require (as the CommonJS dependencies' already
 * do). The traced build keeps its imports as written: the HTTP instrumentation hooks them there.
 */
const httpWithoutFacadePlugin = {
  name: 'http-without-facade',
  setup(b) {
    const NS = 'builtin-via-require';
    // Static imports only: a dynamic import() of this CommonJS wrapper would yield no named
    // exports in an ES bundle, and a dynamic import builds the facade only if it ever runs.
    b.onResolve({ filter: /^(node:)?http$/ }, (a) =>
      a.kind === 'import-statement' ? { path: 'node:http', namespace: NS } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: NS }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};

async function isCommonJs(file) {
  if (file.endsWith('.mjs')) return false;
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  // ES syntax wins (some packages ship ES builds without "type": "module").
  const src = await readFile(file, 'utf8');
  return !/^\s*(import\s*[\w{*'"]|export\s)/m.test(src);
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  // Not minified: the same code minified cost 13 % more instructions per /query miss (1.45 M
  // against 1.26 M, bench/instructions.mjs; whitespace, syntax and identifiers each cost some)
  // and ~8 % more CPU in a timed A/B, for the same cold start; unminified it is ~8 MB larger
  // and idles ~2 MiB higher (its source text).
  minify: false,
  // Class and function names matter: Nest's DI tokens and error messages, TypeORM entity and
  // migration names, Terminus indicator keys.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  // ESM builds first: a dynamic import() of a CommonJS module yields only a default export in an
  // ES bundle, while Nest reads named exports (e.g. import('class-transformer').plainToInstance).
  mainFields: ['module', 'main'],
  // Decorated classes are referenced through emitted metadata: nothing may be tree-shaken away
  // that tsc kept, so side effects are trusted as written.
  ignoreAnnotations: true,
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
// Instrumented packages stay packages (see bundle-externals.mjs), for the traced server only.
const instrumented = externalClosure(root);
await copyClosure(root, instrumented, out);

// Two builds of the server. The entry point and the untraced server are bundled whole, as fast to
// start as ever; with tracing on, the entry point loads the SDK and the server from traced/, built
// with the instrumented packages external so the SDK's hooks see them load. TRACED_SERVER tells
// the entry point (main.ts) where that build is; tsc's output has none and always loads ./server.js.
const tracedOnly = {
  name: 'traced-only',
  setup(b) {
    b.onResolve({ filter: /[\\/]otel-sdk\.js$/ }, () => ({
      path: './traced/otel-sdk.mjs',
      external: true,
    }));
  },
};

const main = await build({
  ...common,
  entryPoints: { main: resolve(root, args.entry) },
  outdir: out,
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  // Flat output: __dirname is the same folder in every chunk (the worker paths rely on it).
  chunkNames: '[name]-[hash]',
  banner: { js: workersBanner },
  define: { TRACED_SERVER: JSON.stringify('./traced/server.mjs') },
  external: [...OPTIONAL_EXTERNALS, './traced/*'],
  plugins: [tracedOnly, httpWithoutFacadePlugin, dynamicLoadsPlugin, dynamicCjsImportPlugin],
  metafile: true,
});

await build({
  ...common,
  entryPoints: {
    server: resolve(root, dirname(args.entry), 'server.js'),
    'otel-sdk': resolve(root, 'dist/libs/platform/src/telemetry/otel-sdk.js'),
  },
  outdir: join(out, 'traced'),
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  banner: { js: workersBannerAt('..') },
  external: [...OPTIONAL_EXTERNALS, ...externalPatterns(instrumented)],
  plugins: [dynamicLoadsPlugin, dynamicCjsImportPlugin],
});

// Worker entry points: CommonJS, self-contained (thread-stream loads them with require/import).
if (installed('pino')) {
  const entries = Object.fromEntries(
    Object.entries(WORKERS)
      .filter(([, spec]) => {
        try {
          requireFromRoot.resolve(spec);
          return true;
        } catch {
          return false;
        }
      })
      .map(([key, spec]) => [workerFile(key).replace(/\.cjs$/, ''), requireFromRoot.resolve(spec)]),
  );
  await build({
    ...common,
    entryPoints: entries,
    outdir: out,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: OPTIONAL_EXTERNALS.filter((name) => name !== 'pino-pretty'),
  });
}

/** Copies these files of an installed package beside the bundle, as node_modules/<name>/. */
async function copyPackageFiles(name, files, { required = true } = {}) {
  const src = dirname(requireFromRoot.resolve(`${name}/package.json`));
  const dest = join(out, 'node_modules', name);
  for (const file of files) {
    await mkdir(dirname(join(dest, file)), { recursive: true });
    await cp(join(src, file), join(dest, file)).catch((error) => {
      if (required || error.code !== 'ENOENT') throw error;
    });
  }
}

// swagger-ui-dist: the files Swagger UI's HTML page loads, and the helper that locates them.
if (installed('swagger-ui-dist')) {
  await copyPackageFiles(
    'swagger-ui-dist',
    [
      'package.json',
      'LICENSE',
      'absolute-path.js',
      'index.js',
      'favicon-16x16.png',
      'favicon-32x32.png',
      'index.css',
      'swagger-ui.css',
      'swagger-ui-bundle.js',
      'swagger-ui-standalone-preset.js',
      'oauth2-redirect.html',
      'oauth2-redirect.js',
    ],
    { required: false },
  );
}

// gpt-tokenizer's cl100k_base ranks file, read by the token counter (found by require.resolve
// through the package's exports, hence its package.json).
await copyPackageFiles('gpt-tokenizer', ['package.json', 'LICENSE', 'data/cl100k_base.tiktoken']);

// The bundle is ESM with .mjs files; a package.json keeps any .js file here ESM too.
await writeFile(join(out, 'package.json'), '{"type":"module","private":true}\n');

if (args.metafile) await writeFile(join(out, '..', 'meta.json'), JSON.stringify(main.metafile));
const code = Object.values(main.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
const entry = (await stat(join(out, 'main.mjs'))).size;
console.log(
  `bundle: ${relative(root, out) || '.'}/main.mjs (${(entry / 1e6).toFixed(1)} MB)` +
    ` + chunks, ${(code / 1e6).toFixed(1)} MB of code in all; workers, Swagger UI assets and the token ranks beside it`,
);
