// Three production containers behind HAProxy (health-checking /ready), sharing PostgreSQL and
// Redis, rolled one at a time the way the production Deployment's strategy does (maxSurge 1,
// maxUnavailable 0: a new replica ready first, then the old one gets its preStop sleep and
// SIGTERM) while an open-loop load runs. No request may fail and every answered id must be in
// PostgreSQL afterwards. Then, separately, the per-client rate limit must hold across replicas.
//
// Host network: the replicas, HAProxy and the test share 127.0.0.1 with the PostgreSQL and Redis
// the machine already runs (a database and key prefix of the test's own), so nothing else has to
// be built or started, and the load never leaves the loopback interface.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '../k8s/lib/until.mjs';
import { after, before, describe, test } from 'node:test';
import { agent, preStopSeconds, renderOverlay } from '../k8s/lib/manifests.mjs';
import { docker, inspect, removeContainer, runContainer } from '../k8s/lib/docker.mjs';
import { freePort } from '../k8s/lib/net.mjs';
import {
  apiKey,
  createDatabase,
  deleteRedisPrefix,
  dropDatabase,
  idsInHistory,
  PG_PORT,
  REDIS_PORT,
} from '../k8s/lib/stores.mjs';

const IMAGE = process.env.K8S_TEST_IMAGE;
const RATE = Number(process.env.ROLL_RATE ?? 200);
// 75 s: the roll of three replicas takes ~50-60 s on a busy 2-core machine and must end under load.
const SECONDS = Number(process.env.ROLL_SECONDS ?? 75);
const RUN = `k8sroll${process.pid}`;
const DATABASE = `${RUN}_db`;
const PREFIX = `${RUN}:`;
const LABEL = `ai-agent-service.k8s-test=${RUN}`;
const { pod, container, config } = agent(renderOverlay('production'));
const replicas = 3;
const state = { slots: [], running: new Map() };

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** HAProxy's view of each server: name → { status, retries, redispatches }. */
async function haproxyServers() {
  const csv = await (await fetch(`http://127.0.0.1:${state.statsPort}/stats;csv`)).text();
  const [header, ...rows] = csv.trim().split('\n');
  const cols = header.replace(/^# /, '').split(',');
  const out = {};
  for (const row of rows) {
    const f = Object.fromEntries(row.split(',').map((v, i) => [cols[i], v]));
    if (f.pxname === 'agents')
      out[f.svname] = {
        status: f.status,
        retries: Number(f.wretr),
        redispatches: Number(f.wredis),
      };
  }
  return out;
}

function startReplica(slot, extraEnv = {}) {
  const name = `${RUN}-s${slot}-${Date.now()}`;
  runContainer({
    name,
    image: IMAGE,
    pod,
    container,
    label: LABEL,
    // No CPU limit in the manifests: replicas share the machine's CPU as pods share a node's.
    cpuQuota: false,
    env: {
      ...config,
      PORT: String(state.slots[slot]),
      // Host network: the image's one LIVENESS_PORT would collide between replicas, and HAProxy
      // checks /health on PORT.
      LIVENESS_PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${PG_PORT}/${DATABASE}`,
      REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/0`,
      REDIS_KEY_PREFIX: PREFIX,
      // The keys come from API_KEYS here (the format the contract fixes); no Secret file.
      API_KEYS_FILE: '',
      API_KEYS: `${state.load.entry},${state.limited.entry}`,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
      ...extraEnv,
    },
  });
  state.running.set(slot, name);
  return name;
}

async function waitUp(slot) {
  await until(
    async () => (await haproxyServers())[`s${slot}`]?.status === 'UP',
    30_000,
    `s${slot} UP in HAProxy`,
  );
}

/** What the kubelet does to a pod being replaced: the preStop sleep, SIGTERM, then it waits. */
async function terminate(slot) {
  const name = state.running.get(slot);
  await sleep(preStopSeconds(container) * 1000);
  docker('kill', '--signal', 'SIGTERM', name);
  const code = docker('wait', name);
  state.running.delete(slot);
  removeContainer(name);
  return code;
}

describe('three replicas behind HAProxy', { timeout: 300_000 }, () => {
  before(async () => {
    assert.ok(IMAGE, 'K8S_TEST_IMAGE names the production image (npm run test:replicas builds it)');
    await createDatabase(DATABASE);
    state.load = apiKey('load-client');
    state.limited = apiKey('limited-client');
    for (let i = 0; i < replicas * 2; i += 1) state.slots.push(await freePort());
    state.frontPort = await freePort();
    state.statsPort = await freePort();
    state.dir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const cfg = join(state.dir, 'haproxy.cfg');
    // Health checks every second on /ready; a server is DOWN after 2 failures (~2 s), well inside
    // the service's drain delay. A request on a keep-alive connection the server closed at the
    // same moment is retried on another server (it never reached the application).
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 4096',
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 30s',
        '  timeout server 30s',
        '  retries 3',
        '  option redispatch 1',
        '  retry-on conn-failure empty-response',
        'frontend front',
        `  bind 127.0.0.1:${state.frontPort}`,
        '  default_backend agents',
        'backend agents',
        '  balance roundrobin',
        '  option httpchk',
        '  http-check send meth GET uri /ready',
        '  default-server inter 1s fall 2 rise 2',
        ...state.slots.map((port, i) => `  server s${i} 127.0.0.1:${port} check`),
        'listen stats',
        `  bind 127.0.0.1:${state.statsPort}`,
        '  stats enable',
        '  stats uri /stats',
        '',
      ].join('\n'),
    );
    state.haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    state.haproxyLog = '';
    state.haproxy.stderr.on('data', (d) => (state.haproxyLog += d));
    for (let i = 0; i < replicas; i += 1) startReplica(i);
    for (let i = 0; i < replicas; i += 1) await waitUp(i);
  });

  after(async () => {
    for (const name of state.running.values()) removeContainer(name);
    if (state.haproxy && state.haproxy.exitCode === null) state.haproxy.kill('SIGTERM');
    await dropDatabase(DATABASE).catch(() => {});
    await deleteRedisPrefix(PREFIX).catch(() => {});
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  test(`rolling restart under ${RATE} req/s for ${SECONDS} s: 0 failed requests, 0 lost history records`, async () => {
    const load = spawn(
      process.execPath,
      [
        new URL('./load.mjs', import.meta.url).pathname,
        `http://127.0.0.1:${state.frontPort}/query`,
        String(RATE),
        String(SECONDS),
        state.load.key,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    load.stdout.on('data', (d) => (out += d));
    const loadDone = new Promise((resolve) => load.on('close', resolve));
    await sleep(5000);
    const rollStart = Date.now();
    const exits = [];
    // maxSurge 1, maxUnavailable 0: the replacement first, then the old replica.
    for (let i = 0; i < replicas; i += 1) {
      startReplica(replicas + i);
      await waitUp(replicas + i);
      exits.push(await terminate(i));
    }
    const rollEnd = Date.now();
    assert.equal(load.exitCode, null, 'the roll finished while the load was still running');
    await loadDone;
    const result = JSON.parse(out);
    const servers = await haproxyServers();
    const during = result.samples
      .filter(([t]) => t >= rollStart && t <= rollEnd)
      .map(([, ms]) => ms);
    const all = result.samples.map(([, ms]) => ms);
    const failed = result.sent - result.answered;
    const retries = Object.values(servers).reduce((n, s) => n + s.retries + s.redispatches, 0);
    console.log(
      `# ${result.sent} requests at ${RATE}/s; answered ${result.answered}, failed ${failed}; roll took ${rollEnd - rollStart} ms; ` +
        `p50/p99/max during the roll ${percentile(during, 50)}/${percentile(during, 99)}/${Math.max(...during)} ms ` +
        `(whole run p99 ${percentile(all, 99)} ms); HAProxy retries+redispatches ${retries}; replica exit codes ${exits.join(',')}`,
    );
    const kinds = {};
    for (const f of result.failures)
      kinds[f.status ?? f.error] = (kinds[f.status ?? f.error] ?? 0) + 1;
    console.log(`# failures by kind: ${JSON.stringify(kinds)}`);
    assert.deepEqual(result.failures.slice(0, 5), [], 'no failed request');
    assert.equal(failed, 0);
    assert.equal(result.sent, RATE * SECONDS);
    assert.deepEqual(exits, ['0', '0', '0']);
    // The remaining replicas write their buffers behind; give them a moment, then every id.
    let found = new Set();
    await until(
      async () => (found = await idsInHistory(DATABASE, result.ids)).size === result.ids.length,
      15_000,
      'every answered id in PostgreSQL',
    ).catch(() => {});
    const lost = result.ids.filter((id) => !found.has(id));
    console.log(`# history: ${found.size} of ${result.ids.length} answered ids in PostgreSQL`);
    assert.deepEqual(lost.slice(0, 5), [], 'no lost history record');
    assert.equal(new Set(result.ids).size, result.ids.length, 'ids are unique');
  });

  test('rate limits are shared: one client over its per-minute limit gets 429 with Retry-After, whichever replica answers', async () => {
    // Replace every replica with one that allows 30 requests per minute per client.
    const limit = 30;
    for (const slot of [...state.running.keys()]) {
      removeContainer(state.running.get(slot));
      state.running.delete(slot);
    }
    for (let i = 0; i < replicas; i += 1)
      startReplica(i, { RATE_LIMIT_REQUESTS_PER_MINUTE: String(limit) });
    for (let i = 0; i < replicas; i += 1) await waitUp(i);
    const statuses = [];
    const retryAfter = [];
    for (let n = 0; n < limit * 1.5; n += 1) {
      const res = await fetch(`http://127.0.0.1:${state.frontPort}/query`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${state.limited.key}`,
        },
        body: JSON.stringify({ prompt: `limited ${n}` }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 429) retryAfter.push(res.headers.get('retry-after'));
    }
    const ok = statuses.filter((s) => s === 200).length;
    console.log(
      `# ${statuses.length} requests round-robin over ${replicas} replicas with a limit of ${limit}/min: ${ok} answered, ${retryAfter.length} refused with 429`,
    );
    assert.equal(
      ok,
      limit,
      `exactly ${limit} answered across the replicas (a per-replica limit would allow ${limit * replicas})`,
    );
    assert.equal(retryAfter.length, statuses.length - limit);
    for (const value of retryAfter)
      assert.match(value ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
  });

  test('HAProxy ran throughout', () => {
    assert.equal(state.haproxy.exitCode, null, state.haproxyLog.slice(-500));
    assert.ok(inspect(state.running.values().next().value, '{{.State.Running}}') === 'true');
  });
});
