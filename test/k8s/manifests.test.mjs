// Static checks of the rendered Kubernetes manifests: schemas, unknown fields, the restricted Pod
// Security Standard, shutdown arithmetic and the production contract. Offline; kubectl's own
// kustomize renders the overlays.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SCHEMA_KUBERNETES_VERSION, schemaErrors, unknownFieldErrors } from './tools/index.mjs';
import { podTemplate, restrictedViolations } from './lib/pod-security.mjs';
import {
  OVERLAYS,
  agent,
  find,
  knownVariables,
  preStopSeconds,
  renderOverlay,
} from './lib/manifests.mjs';

const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderOverlay(o)]));

const DATASTORE_PORTS = new Set([5432, 6379]);
const ports = (rule) => (rule.ports ?? []).map((p) => p.port);

/**
 * Egress rules that let the agent reach a PostgreSQL or Redis port anywhere: no `to` (any
 * destination), an empty selector (every pod or namespace), an ipBlock for the whole Internet,
 * or a data store port shared with another port (which must stay open more widely).
 */
function unboundedDatastoreRules(rules) {
  const unbounded = (peer) =>
    Object.keys(peer).length === 0 ||
    ['0.0.0.0/0', '::/0'].includes(peer.ipBlock?.cidr) ||
    [peer.namespaceSelector, peer.podSelector].some(
      (s) => s && !s.matchLabels && !s.matchExpressions && !peer.ipBlock,
    );
  return rules
    .filter(({ rule }) => ports(rule).some((p) => DATASTORE_PORTS.has(p)))
    .filter(
      ({ rule }) =>
        !rule.to?.length ||
        rule.to.some(unbounded) ||
        ports(rule).some((p) => !DATASTORE_PORTS.has(p)),
    )
    .map(({ policy, rule }) => `${policy}: ${JSON.stringify(rule)}`);
}

describe(`rendered overlays against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} schemas`, () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: every object matches its schema`, async () => {
      const objects = rendered[overlay];
      const kinds = objects.map((o) => o.kind);
      for (const kind of [
        'ServiceAccount',
        'ConfigMap',
        'Service',
        'Deployment',
        'PodDisruptionBudget',
        'NetworkPolicy',
      ]) {
        assert.ok(kinds.includes(kind), `${overlay} renders a ${kind}`);
      }
      const errors = [];
      for (const object of objects) {
        for (const e of await schemaErrors(object))
          errors.push(`${object.kind}/${object.metadata.name}: ${e}`);
      }
      assert.deepEqual(errors, []);
    });
  }

  test('no field unknown to the API, in either overlay', async () => {
    assert.deepEqual(await unknownFieldErrors(OVERLAYS.flatMap((o) => rendered[o])), []);
  });

  test('the checks catch a wrong type and a misspelt field', async () => {
    const deployment = structuredClone(agent(rendered.production).deployment);
    deployment.spec.template.spec.containers[0].livenessProbe.periodSeconds = '10';
    assert.match((await schemaErrors(deployment)).join(), /periodSeconds must be integer/);
    const typo = structuredClone(agent(rendered.production).deployment);
    typo.spec.template.spec.containers[0].readinesProbe =
      typo.spec.template.spec.containers[0].readinessProbe;
    assert.match((await unknownFieldErrors([typo])).join(), /readinesProbe/);
  });
});

describe('restricted Pod Security Standard', () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: every pod template is restricted`, () => {
      const templates = rendered[overlay].filter(podTemplate);
      assert.ok(templates.length >= 1);
      const violations = templates.flatMap((o) =>
        restrictedViolations(podTemplate(o).spec, `${overlay} ${o.kind}/${o.metadata.name}`),
      );
      assert.deepEqual(violations, []);
    });

    test(`${overlay}: the agent runs read-only as 65532 with /tmp on an emptyDir and no token`, () => {
      const { pod, container } = agent(rendered[overlay]);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(pod.securityContext.runAsUser, 65532);
      const tmp = container.volumeMounts.find((m) => m.mountPath === '/tmp');
      assert.ok(tmp, '/tmp is mounted');
      assert.ok(pod.volumes.find((v) => v.name === tmp.name).emptyDir, '/tmp is an emptyDir');
      assert.equal(pod.automountServiceAccountToken, false);
      const sa = find(rendered[overlay], 'ServiceAccount', pod.serviceAccountName);
      assert.equal(sa.automountServiceAccountToken, false);
    });
  }

  test('the rules catch a privileged, root, unconfined pod', () => {
    const { pod } = agent(rendered.production);
    const bad = structuredClone(pod);
    bad.hostNetwork = true;
    bad.securityContext = { runAsUser: 0, seccompProfile: { type: 'Unconfined' } };
    bad.containers[0].securityContext = { privileged: true, capabilities: { add: ['SYS_ADMIN'] } };
    bad.volumes.push({ name: 'host', hostPath: { path: '/' } });
    const found = restrictedViolations(bad, 'bad').join('\n');
    for (const rule of [
      'host namespaces',
      'hostPath',
      'runAsUser 0',
      'Unconfined',
      'privileged',
      'allowPrivilegeEscalation',
      'runAsNonRoot',
      'drop ALL',
      'SYS_ADMIN',
    ]) {
      assert.match(found, new RegExp(rule), rule);
    }
  });
});

describe('shutdown timing from the rendered manifests', () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: terminationGracePeriodSeconds covers preStop + SHUTDOWN_GRACE_MS, which covers drain + longest request`, () => {
      const { pod, container, config } = agent(rendered[overlay]);
      const grace = Number(config.SHUTDOWN_GRACE_MS);
      const drain = Number(config.SHUTDOWN_DRAIN_DELAY_MS);
      const preStop = preStopSeconds(container);
      const longestRequest = Number(config.LLM_TIMEOUT_MS) * (1 + Number(config.LLM_MAX_RETRIES));
      assert.ok(
        Number.isInteger(grace) && Number.isInteger(drain) && Number.isInteger(longestRequest),
      );
      assert.ok(preStop >= 1, 'a preStop sleep lets endpoint removal propagate');
      assert.ok(
        drain > 0,
        'the service keeps serving after SIGTERM for load balancers that poll /ready',
      );
      // The deadline starts at SIGTERM and includes the drain delay (graceful-shutdown.ts).
      assert.ok(drain + longestRequest < grace, `${drain} + ${longestRequest} < ${grace}`);
      // The kubelet counts the preStop hook inside the grace period, then sends SIGTERM.
      const margin = pod.terminationGracePeriodSeconds - preStop - grace / 1000;
      assert.ok(
        margin >= 2,
        `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} leaves ${margin} s`,
      );
      // After SIGTERM /ready answers 503 at once: the kubelet (and a balancer polling /ready as
      // often) marks the pod unready before the drain delay ends and connections are refused.
      const probe = container.readinessProbe;
      assert.ok(
        probe.periodSeconds * probe.failureThreshold * 1000 < drain,
        'unready within the drain',
      );
      // A readiness check waits READINESS_TIMEOUT_MS per dependency; the probe must wait longer.
      assert.ok(
        container.readinessProbe.timeoutSeconds * 1000 > Number(config.READINESS_TIMEOUT_MS),
      );
    });
  }
});

describe('wiring', () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: probes, Service, metrics annotation and NetworkPolicy name the container port`, () => {
      const objects = rendered[overlay];
      const { deployment, pod, container } = agent(objects);
      const port = container.ports.find((p) => p.name === 'http');
      for (const probe of ['startupProbe', 'readinessProbe']) {
        assert.equal(container[probe].httpGet.port, 'http', probe);
      }
      // Liveness on the listener the image opens on LIVENESS_PORT.
      const liveness = container.ports.find((p) => p.name === 'liveness');
      assert.equal(container.livenessProbe.httpGet.port, 'liveness');
      assert.equal(liveness.containerPort, 8001);
      const dockerfile = readFileSync(new URL('../../docker/Dockerfile', import.meta.url), 'utf8');
      assert.match(dockerfile, new RegExp(`LIVENESS_PORT=${liveness.containerPort}\\b`));
      assert.equal(container.startupProbe.httpGet.path, '/health');
      assert.equal(container.livenessProbe.httpGet.path, '/health');
      assert.equal(container.readinessProbe.httpGet.path, '/ready');
      const service = find(objects, 'Service', 'ai-agent-service');
      assert.equal(service.spec.ports[0].targetPort, 'http');
      const labels = deployment.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(labels[k], v);
      const annotations = deployment.spec.template.metadata.annotations;
      assert.equal(annotations['prometheus.io/scrape'], 'true');
      assert.equal(Number(annotations['prometheus.io/port']), port.containerPort);
      const policy = find(objects, 'NetworkPolicy', 'ai-agent-service');
      for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels))
        assert.equal(labels[k], v);
      assert.deepEqual(policy.spec.policyTypes.sort(), ['Egress', 'Ingress']);
      for (const rule of policy.spec.ingress) {
        assert.deepEqual(
          rule.ports.map((p) => p.port),
          ['http'],
          'ingress only on the HTTP port',
        );
        assert.ok(rule.from?.length > 0, 'ingress names its sources');
      }
      assert.ok(
        pod.topologySpreadConstraints.some((t) => t.topologyKey === 'topology.kubernetes.io/zone'),
      );
      assert.ok(
        pod.topologySpreadConstraints.some((t) => t.topologyKey === 'kubernetes.io/hostname'),
      );
      assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
      assert.ok(container.resources.limits.memory);
    });

    test(`${overlay}: every variable set is one the service reads`, () => {
      const known = knownVariables();
      const { container, config } = agent(rendered[overlay]);
      const names = [...Object.keys(config), ...(container.env ?? []).map((e) => e.name)];
      assert.deepEqual(
        names.filter((n) => !known.has(n)),
        [],
      );
    });
  }

  test('production: three replicas or more, a rolling update that never lowers capacity, keys required', () => {
    const objects = rendered.production;
    const { deployment, pod, container, config } = agent(objects);
    assert.ok(find(objects, 'HorizontalPodAutoscaler').spec.minReplicas >= 3);
    assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
    assert.equal(find(objects, 'PodDisruptionBudget').spec.maxUnavailable, 1);
    assert.equal(config.AUTH_REQUIRED, 'true');
    const mount = container.volumeMounts.find((m) =>
      config.API_KEYS_FILE.startsWith(`${m.mountPath}/`),
    );
    assert.ok(mount, 'API_KEYS_FILE lies in a mounted volume');
    const volume = pod.volumes.find((v) => v.name === mount.name);
    assert.equal(volume.secret.secretName, 'ai-agent-service-api-keys');
    assert.equal(`${mount.mountPath}/${volume.secret.items[0].path}`, config.API_KEYS_FILE);
    assert.equal(config.API_KEYS, undefined, 'keys never sit in a ConfigMap');
    const secrets = new Set(
      (container.env ?? [])
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => e.valueFrom.secretKeyRef.name),
    );
    assert.deepEqual([...secrets].sort(), [
      'ai-agent-service-datastores',
      'ai-agent-service-metrics',
    ]);
  });

  for (const overlay of OVERLAYS) {
    test(`${overlay}: the HPA alone sets the replica count of what it scales`, () => {
      const hpa = find(rendered[overlay], 'HorizontalPodAutoscaler');
      const { deployment } = agent(rendered[overlay]);
      if (hpa) {
        assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
        // Every `kubectl apply` would reset the count the HPA chose.
        assert.equal(deployment.spec.replicas, undefined, 'no spec.replicas beside an HPA');
      } else {
        assert.ok(deployment.spec.replicas >= 1, 'without an HPA the Deployment sets its count');
      }
    });

    test(`${overlay}: egress to PostgreSQL and Redis goes to named destinations only`, () => {
      const { deployment } = agent(rendered[overlay]);
      const labels = deployment.spec.template.metadata.labels;
      const selectsAgent = (p) =>
        Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
        !p.spec.podSelector.matchExpressions;
      const rules = rendered[overlay]
        .filter((o) => o.kind === 'NetworkPolicy' && selectsAgent(o))
        .flatMap((p) => (p.spec.egress ?? []).map((rule) => ({ policy: p.metadata.name, rule })));
      assert.deepEqual(unboundedDatastoreRules(rules), []);
      const stores = rules.filter(({ rule }) => ports(rule).some((x) => DATASTORE_PORTS.has(x)));
      assert.ok(stores.length > 0, 'some rule lets the agent reach its data stores');
    });
  }

  test('the egress check catches a data store port open to any destination', () => {
    const open = [{ policy: 'p', rule: { ports: [{ port: 5432 }, { port: 443 }] } }];
    const anywhere = [
      { policy: 'p', rule: { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 6379 }] } },
    ];
    const everyPod = [
      { policy: 'p', rule: { to: [{ namespaceSelector: {} }], ports: [{ port: 6379 }] } },
    ];
    assert.equal(unboundedDatastoreRules(open).length, 1);
    assert.equal(unboundedDatastoreRules(anywhere).length, 1);
    assert.equal(unboundedDatastoreRules(everyPod).length, 1);
  });

  test('production: no API documentation, /metrics behind a token from a Secret', () => {
    const { container, config } = agent(rendered.production);
    // Whatever the ingress routes to the HTTP port must not get the schema or the metrics.
    assert.equal(config.DOCS_ENABLED, 'false');
    assert.equal(config.METRICS_TOKEN, undefined, 'the token never sits in a ConfigMap');
    const token = (container.env ?? []).find((e) => e.name === 'METRICS_TOKEN');
    assert.deepEqual(token?.valueFrom?.secretKeyRef, {
      name: 'ai-agent-service-metrics',
      key: 'metrics-token',
    });
  });

  test('dev: one replica, no autoscaler, in-cluster data stores wired to the agent', () => {
    const objects = rendered.dev;
    const { deployment, container } = agent(objects);
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(find(objects, 'HorizontalPodAutoscaler'), undefined);
    assert.ok(find(objects, 'StatefulSet', 'ai-agent-postgres'));
    assert.ok(find(objects, 'Deployment', 'ai-agent-redis'));
    for (const e of container.env.filter((x) => x.valueFrom?.secretKeyRef)) {
      const secret = find(objects, 'Secret', e.valueFrom.secretKeyRef.name);
      assert.ok(secret, `secret ${e.valueFrom.secretKeyRef.name} is rendered`);
      const value = Buffer.from(
        secret.data[e.valueFrom.secretKeyRef.key].replace(/\n/g, ''),
        'base64',
      ).toString();
      assert.match(
        value,
        e.name === 'DATABASE_URL'
          ? /^postgres:\/\/.+@ai-agent-postgres:5432\//
          : /^redis:\/\/ai-agent-redis:6379/,
      );
    }
  });
});
