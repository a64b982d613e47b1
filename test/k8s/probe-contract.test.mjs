// The probe contract: the probes of the rendered production Deployment, sent with the kubelet's
// semantics to the real production container, through a cold start, a PostgreSQL outage, a Redis
// outage, /query saturated at 4x its measured capacity, and SIGTERM after the preStop sleep.
//
// Needs K8S_TEST_IMAGE (test/k8s/run.sh builds it), Docker, and PostgreSQL and Redis on 127.0.0.1
// (the suite works in a database and a key prefix of its own, behind TCP proxies it cuts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from './lib/until.mjs';
import { after, before, describe, test } from 'node:test';
import { agent, preStopSeconds, renderOverlay } from './lib/manifests.mjs';
import {
  docker,
  inspect,
  peakMemory,
  removeContainer,
  runContainer,
  bytes,
} from './lib/docker.mjs';
import { TcpProxy, freePort, kubeletProbe } from './lib/net.mjs';
import { KubeletProbes } from './lib/prober.mjs';
import { queryLoad } from './lib/load.mjs';
import {
  PG_PORT,
  REDIS_PORT,
  apiKey,
  createDatabase,
  deleteRedisPrefix,
  dropDatabase,
} from './lib/stores.mjs';

const IMAGE = process.env.K8S_TEST_IMAGE;
const RUN = `k8sprobe${process.pid}`;
const DATABASE = `${RUN}_db`;
const PREFIX = `${RUN}:`;
const NAME = `${RUN}-agent`;
const LABEL = `ai-agent-service.k8s-test=${RUN}`;

const { pod, container, config, deployment } = agent(renderOverlay('production'));
const readiness = container.readinessProbe;
const liveness = container.livenessProbe;
const startup = container.startupProbe;
/** Longest the kubelet may take to act on a change: failureThreshold probes one period apart, the last timing out. */
const detection = (p) => (p.periodSeconds * p.failureThreshold + p.timeoutSeconds) * 1000;

const state = {};

async function readyBody() {
  const res = await fetch(`http://127.0.0.1:${state.port}/ready`);
  return { status: res.status, body: await res.json() };
}

describe(
  'probe contract of the production Deployment against the production container',
  { timeout: 240_000 },
  () => {
    before(async () => {
      assert.ok(IMAGE, 'K8S_TEST_IMAGE names the production image (npm run test:k8s builds it)');
      await createDatabase(DATABASE);
      state.pg = await new TcpProxy(PG_PORT).start();
      state.redis = await new TcpProxy(REDIS_PORT).start();
      state.port = await freePort();
      state.livenessPort = await freePort();
      state.dir = mkdtempSync(join(tmpdir(), 'k8s-probe-'));
      state.key = apiKey('probe-client');
      // The production overlay reads the keys from a Secret mounted as a file.
      const keysFile = join(state.dir, 'api-keys');
      writeFileSync(keysFile, state.key.entry);
      chmodSync(keysFile, 0o444);
      state.env = {
        ...config,
        PORT: String(state.port),
        // Host network: the image's LIVENESS_PORT (8001) could be taken on the test machine.
        LIVENESS_PORT: String(state.livenessPort),
        HOST: '127.0.0.1',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${state.pg.port}/${DATABASE}`,
        REDIS_URL: `redis://127.0.0.1:${state.redis.port}/0`,
        REDIS_KEY_PREFIX: PREFIX,
        // Probes are the subject here, not per-client limits: the load runs as one client.
        RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
      };
      state.headers = { authorization: `Bearer ${state.key.key}` };
    });

    after(async () => {
      state.probes?.stop();
      removeContainer(NAME);
      await state.pg?.stop();
      await state.redis?.stop();
      await dropDatabase(DATABASE).catch(() => {});
      await deleteRedisPrefix(PREFIX).catch(() => {});
      if (state.dir) rmSync(state.dir, { recursive: true, force: true });
    });

    test('cold start: the startup probe passes within its budget, then readiness turns true', async () => {
      const budget = startup.periodSeconds * startup.failureThreshold * 1000;
      state.probes = new KubeletProbes(container, {
        http: state.port,
        liveness: state.livenessPort,
      });
      const t0 = Date.now();
      state.id = runContainer({
        name: NAME,
        image: IMAGE,
        pod,
        container,
        env: state.env,
        mounts: { [config.API_KEYS_FILE]: join(state.dir, 'api-keys') },
        label: LABEL,
      });
      state.probes.start();
      await until(
        () => state.probes.startedAt || state.probes.killed,
        budget + 2000,
        'startup probe',
      );
      assert.equal(state.probes.killed, undefined);
      const started = state.probes.startedAt - t0;
      await until(
        () => state.probes.readiness.result === true,
        detection(readiness) + 10_000,
        'readiness',
      );
      state.readyAt = Date.now();
      console.log(
        `# startup probe passed ${started} ms after docker run (budget ${budget} ms); ready after ${state.readyAt - t0} ms`,
      );
      assert.ok(started < budget);
    });

    test('PostgreSQL outage: readiness false within its detection time, true again after recovery; liveness holds', async () => {
      await sleep(readiness.periodSeconds * 1000);
      const cutAt = Date.now();
      assert.ok(
        state.probes.readiness.heldBetween(true, state.readyAt, cutAt),
        'ready until the outage',
      );
      await state.pg.cut();
      const down = await until(
        () => state.probes.readiness.result === false,
        detection(readiness) + 2000,
        'readiness false',
      );
      // Queries are still answered while the database is away (history is buffered).
      const res = await fetch(`http://127.0.0.1:${state.port}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...state.headers },
        body: JSON.stringify({ prompt: 'during the outage' }),
      });
      assert.equal(res.status, 200);
      const ready = await readyBody();
      assert.equal(ready.status, 503);
      assert.equal(ready.body.checks.database, 'down');
      await sleep(readiness.periodSeconds * 1000);
      const restoredAt = Date.now();
      assert.ok(
        state.probes.readiness.heldBetween(false, down, restoredAt),
        'unready for the whole outage',
      );
      await state.pg.restore();
      const up = await until(
        () => state.probes.readiness.result === true,
        20_000,
        'readiness true again',
      );
      console.log(
        `# PostgreSQL cut: unready after ${down - cutAt} ms (bound ${detection(readiness)} ms); ready ${up - restoredAt} ms after recovery`,
      );
      state.readyAt = up;
      assert.equal(state.probes.liveness.maxFailureRun, 0, 'liveness never failed');
    });

    test('Redis outage: readiness stays true (the cache is optional) while /ready reports it down', async () => {
      await sleep(readiness.periodSeconds * 1000);
      const cutAt = Date.now();
      await state.redis.cut();
      await until(
        async () => (await readyBody()).body.checks.cache === 'down',
        10_000,
        'cache reported down',
      );
      const ready = await readyBody();
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'degraded');
      await sleep(detection(readiness) + 1000);
      const restoredAt = Date.now();
      await state.redis.restore();
      await until(
        async () => (await readyBody()).body.checks.cache === 'up',
        20_000,
        'cache up again',
      );
      assert.ok(
        state.probes.readiness.heldBetween(true, state.readyAt, Date.now()),
        'ready throughout',
      );
      console.log(`# Redis cut for ${restoredAt - cutAt} ms: readiness stayed true`);
      assert.equal(state.probes.liveness.maxFailureRun, 0);
    });

    test('saturation at 4x the measured /query capacity: no restart, readiness steady, memory under the limit', async () => {
      // As many connections as the service admits requests (MAX_IN_FLIGHT): with 256 connections
      // on this CPU quota /health itself waited up to ~10 s in the accept queue (docs/kubernetes.md).
      const connections = Number(config.MAX_IN_FLIGHT);
      // The capacity measurement saturates the service too: it belongs to the observed window.
      const from = Date.now();
      const measured = await queryLoad({
        port: state.port,
        seconds: 5,
        connections,
        headers: state.headers,
      });
      const capacity = Math.max(1, Math.round(measured.requests.average));
      const load = await queryLoad({
        port: state.port,
        seconds: 20,
        connections,
        rate: capacity * 4,
        headers: state.headers,
      });
      const to = Date.now();
      const peak = peakMemory(state.id);
      const health = state.probes.liveness.probes.filter((p) => p.at >= from && p.at <= to);
      const ready = state.probes.readiness.probes.filter((p) => p.at >= from && p.at <= to);
      console.log(
        `# capacity ${capacity} req/s (${connections} connections) on ${container.resources.requests.cpu} CPU; at ${capacity * 4} req/s offered: ` +
          `${Math.round(load.requests.average)} req/s served, p99 ${load.latency.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}; ` +
          `liveness probes ${health.map((p) => `${Math.round(p.ms)}ms`).join(' ')}; readiness probes ${ready.map((p) => `${Math.round(p.ms)}ms`).join(' ')}; peak memory ${peak ? Math.round(peak / 2 ** 20) : '?'} MiB ` +
          `(limit ${container.resources.limits.memory})`,
      );
      const failed = ready
        .filter((p) => !p.ok)
        .map((p) => `${p.status ?? p.error} after ${Math.round(p.ms)} ms`);
      console.log(`# readiness probes failed during the load: ${failed.join(', ') || 'none'}`);
      assert.ok(health.length >= 1, 'liveness probed during the load');
      assert.ok(
        state.probes.liveness.maxFailureRun < liveness.failureThreshold,
        'liveness never reached its failure threshold',
      );
      assert.equal(state.probes.killed, undefined);
      assert.equal(
        inspect(NAME, '{{.State.Running}} {{.State.OOMKilled}} {{.RestartCount}}'),
        'true false 0',
      );
      assert.ok(
        state.probes.readiness.heldBetween(true, from, Date.now()),
        'readiness did not flap under load',
      );
      if (peak) assert.ok(peak < bytes(container.resources.limits.memory));
    });

    test('SIGTERM after the preStop sleep: readiness fails before connections are refused, exit 0 within the grace', async () => {
      const preStop = preStopSeconds(container) * 1000;
      const graceMs = Number(config.SHUTDOWN_GRACE_MS);
      await until(() => state.probes.readiness.result === true, 20_000, 'ready before SIGTERM');
      // The kubelet runs the preStop hook first; the service does not know yet and keeps serving.
      const deleteAt = Date.now();
      await sleep(preStop);
      assert.ok(
        state.probes.readiness.heldBetween(true, deleteAt, Date.now()),
        'ready during preStop',
      );
      let refusedAt;
      let lastAccepted;
      const prober = (async () => {
        while (!refusedAt && Date.now() - deleteAt < 60_000) {
          const r = await kubeletProbe({ port: state.port, path: '/health', timeoutSeconds: 1 });
          if (r.error === 'ECONNREFUSED') refusedAt = Date.now();
          else if (r.ok) lastAccepted = Date.now();
          await sleep(50);
        }
      })();
      const termAt = Date.now();
      docker('kill', '--signal', 'SIGTERM', NAME);
      await prober;
      const exit = docker('wait', NAME);
      const exitedAt = Date.now();
      state.probes.stop();
      const unready = state.probes.readiness.firstChangeAfter(termAt, false);
      const firstFailedProbe = state.probes.readiness.probes.find((p) => p.at >= termAt && !p.ok);
      console.log(
        `# SIGTERM: first failed readiness probe +${firstFailedProbe.at - termAt} ms (${firstFailedProbe.status}), unready +${unready?.at - termAt} ms, ` +
          `last accepted +${lastAccepted - termAt} ms, refused +${refusedAt - termAt} ms, exit ${exit} +${exitedAt - termAt} ms ` +
          `(drain ${config.SHUTDOWN_DRAIN_DELAY_MS} ms, grace ${graceMs} ms, terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds})`,
      );
      assert.equal(firstFailedProbe.status, 503);
      assert.ok(unready, 'readiness turned false');
      assert.ok(refusedAt, 'connections were refused in the end');
      assert.ok(unready.at < refusedAt, 'unready before connections are refused');
      assert.ok(lastAccepted > unready.at, 'still accepting after readiness failed');
      assert.equal(exit, '0');
      assert.ok(exitedAt - termAt < graceMs);
      assert.ok(
        exitedAt - deleteAt < pod.terminationGracePeriodSeconds * 1000,
        'before the kubelet would SIGKILL',
      );
      assert.equal(deployment.spec.template.spec.containers[0].name, 'agent');
    });
  },
);
