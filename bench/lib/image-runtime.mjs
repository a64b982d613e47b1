// The runtime settings of the production image, read from docker/Dockerfile's prod stage so the
// bench runs the bundle the way the image does: node flags from its NODE_OPTIONS and its CMD
// (those before the script), and the allocator and compile-cache settings of its ENV lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Environment variables of the image that change how the process runs, not what it does. */
const RUNTIME_VARIABLES = /^(MALLOC_\w+|UV_THREADPOOL_SIZE|NODE_COMPILE_CACHE)$/;

/** `KEY=VALUE` pairs of one ENV instruction (values without spaces or with double quotes). */
function envPairs(text) {
  const pairs = {};
  for (const [, key, quoted, plain] of text.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g)) {
    pairs[key] = quoted ?? plain;
  }
  return pairs;
}

/**
 * A compile cache the image fills at build time is filled here by the service's first start (and
 * kept in `compileCacheDir`). `memoryLimitMiB` stands for the container's memory limit, which a process on the bench
 * machine does not have: a `--max-old-space-size-percentage` flag is resolved against it into
 * the `--max-old-space-size` Node would derive inside the container.
 */
export function imageRuntime(root, { memoryLimitMiB, compileCacheDir }) {
  const text = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  const stage = text.split(/^FROM\s+\S+\s+AS\s+prod\s*$/im)[1] ?? '';
  const env = {};
  let cmd = [];
  for (const line of stage.split(/\r?\n/)) {
    const instruction = /^\s*(ENV|CMD)\s+(.*)$/i.exec(line);
    if (!instruction) continue;
    if (instruction[1].toUpperCase() === 'CMD') cmd = JSON.parse(instruction[2]);
    else Object.assign(env, envPairs(instruction[2]));
  }
  const script = cmd.findIndex((arg) => !arg.startsWith('-'));
  const flags = [
    ...(env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
    ...(script === -1 ? cmd : cmd.slice(0, script)),
  ];
  const nodeArgs = flags.map((arg) => {
    const percentage = /^--max-old-space-size-percentage=(\d+(?:\.\d+)?)$/.exec(arg);
    if (!percentage) return arg;
    return `--max-old-space-size=${Math.floor((memoryLimitMiB * Number(percentage[1])) / 100)}`;
  });
  const runtimeEnv = Object.fromEntries(
    Object.entries(env).filter(([key]) => RUNTIME_VARIABLES.test(key)),
  );
  if (runtimeEnv.NODE_COMPILE_CACHE !== undefined) runtimeEnv.NODE_COMPILE_CACHE = compileCacheDir;
  return { nodeArgs, env: runtimeEnv };
}
