// Child processes for the benchmark: pinned spawning, cleanup by PID, /proc readings, probes.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export const SERVER_CORE = '0';
export const LOAD_CORE = '1';
export const CAN_PIN = availableParallelism() >= 2 && existsSync('/usr/bin/taskset');

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every child still alive, so that any way out of the run kills them by PID. */
const live = new Set();

export function killAll() {
  for (const child of live) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

export function installCleanup() {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAll();
      process.exit(130);
    });
  }
}

/** Pins this process (all its threads) to the load core, off the server's core. */
export function pinSelf() {
  if (!CAN_PIN) return false;
  execFileSync('taskset', ['-a', '-p', '-c', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });
  return true;
}

/**
 * Spawns `command ...args` pinned to `core` (the PID is the command's own: taskset execs it).
 * stderr (and stdout unless `keepStdout` or `stdoutFile`) is kept as a bounded tail for error
 * messages; `stdoutFile` sends stdout to a file instead of a pipe, so that a server's log lines
 * cost the load generator's core nothing.
 */
export function spawnPinned(
  core,
  command,
  args,
  { cwd, env, keepStdout = false, stdoutFile } = {},
) {
  const argv = CAN_PIN ? ['-c', core, command, ...args] : args;
  const out = stdoutFile ? openSync(stdoutFile, 'a') : 'pipe';
  const child = spawn(CAN_PIN ? 'taskset' : command, argv, {
    cwd,
    env,
    stdio: ['ignore', out, 'pipe'],
  });
  if (stdoutFile) closeSync(out);
  live.add(child);
  child.tail = '';
  const keep = (chunk) => {
    child.tail = (child.tail + chunk.toString()).slice(-4000);
  };
  if (!keepStdout && child.stdout) child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      child.exitInfo = { code, signal };
      resolve(child.exitInfo);
    });
  });
  child.once('error', (error) => {
    child.tail += `\nspawn error: ${error.message}`;
  });
  return child;
}

/** `node ...args` pinned to `core`, on `node` (default: the node running the bench). */
export function spawnNode(core, args, { node = process.execPath, ...options } = {}) {
  return spawnPinned(core, node, args, options);
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child, graceMs = 3000) {
  if (child.exitInfo) return child.exitInfo;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  const info = await child.exited;
  clearTimeout(timer);
  return info;
}

export function killChild(child) {
  if (child.exitInfo) return child.exited;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return child.exited;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User+system CPU time of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and steal ticks per core from /proc/stat (busy = user+nice+system+irq+softirq+steal). */
export function coreTicks() {
  const out = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, , , irq, softirq, steal = 0] = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = { busy: user + nice + system + irq + softirq + steal, steal };
  }
  return out;
}

/** VmRSS and VmHWM in MiB. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

/** One HTTP request on a fresh connection; resolves {status, headers, body} or rejects. */
export function http(port, path, { method = 'GET', headers = {}, body, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Polls GET /health every `intervalMs` until a 200. Returns the elapsed ms from `since`
 * (performance.now()). Fails when the child exits or `timeoutMs` passes.
 */
export async function waitHealthy(child, port, { since, intervalMs = 5, timeoutMs = 20_000 } = {}) {
  const start = since ?? performance.now();
  while (performance.now() - start < timeoutMs) {
    if (child.exitInfo) {
      throw new Error(
        `server exited (${JSON.stringify(child.exitInfo)}) before /health answered:\n${child.tail}`,
      );
    }
    try {
      const res = await http(port, '/health', { timeoutMs: 1000 });
      if (res.status === 200) return performance.now() - start;
    } catch {
      /* not listening yet */
    }
    await sleep(intervalMs);
  }
  throw new Error(`no 200 from /health within ${timeoutMs} ms:\n${child.tail}`);
}

/** Runs bench/load.mjs pinned to the load core; calls `onEvent(event, loadPid)` for measure-start/-end. */
export function runLoad(config, { cwd, onEvent = () => {} }) {
  const child = spawnNode(LOAD_CORE, ['bench/load.mjs', JSON.stringify(config)], {
    cwd,
    keepStdout: true,
  });
  const limitMs = (config.warmup + config.duration + 30) * 1000;
  return new Promise((resolve, reject) => {
    let buffered = '';
    let result;
    const timer = setTimeout(() => {
      void killChild(child);
      reject(new Error(`load generator exceeded ${limitMs} ms`));
    }, limitMs);
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.trim()) continue;
        const message = JSON.parse(line);
        if (message.event === 'result') result = message;
        else if (message.event === 'error') child.tail += `\n${message.message}`;
        else onEvent(message.event, child.pid);
      }
    });
    void child.exited.then(() => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`load generator failed: ${child.tail}`));
    });
  });
}
