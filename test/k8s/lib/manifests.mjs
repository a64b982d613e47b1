// Helpers over rendered manifests shared by the manifest checks and the probe contract test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../tools/index.mjs';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const OVERLAYS = ['dev', 'production'];

export function renderOverlay(name) {
  return render(join(ROOT, 'deploy/kubernetes/overlays', name));
}

export function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** The agent's Deployment, its container and its ConfigMap data (with the hashed name resolved). */
export function agent(objects) {
  const deployment = find(objects, 'Deployment', 'ai-agent-service');
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'agent');
  const config = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(config, find(objects, 'ConfigMap', source.configMapRef.name).data);
  }
  for (const e of container.env ?? []) if (e.value !== undefined) config[e.name] = e.value;
  return { deployment, pod: deployment.spec.template.spec, container, config };
}

/**
 * Every variable the service reads: the fields of the platform's configuration and of the libs'
 * slices, plus the access settings (API keys, rate limits, load shedding) whose names are fixed
 * by the API contract.
 */
export function knownVariables() {
  // The platform's settings and the slices the libs declare (see service-environment.ts).
  const source = [
    'libs/platform/src/config/environment.ts',
    'libs/agent/src/agent.environment.ts',
    'libs/access/src/access.environment.ts',
  ]
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .join('\n');
  const names = [...source.matchAll(/^\s*(?:@[^\n]*\s)?([A-Z][A-Z0-9_]+)(?:\?|:|\s=)/gm)].map(
    (m) => m[1],
  );
  return new Set([
    ...names,
    'API_KEYS',
    'API_KEYS_FILE',
    'AUTH_REQUIRED',
    'RATE_LIMIT_REQUESTS_PER_MINUTE',
    'MAX_IN_FLIGHT',
    'NODE_ENV',
  ]);
}

/** Seconds of the kubelet's sleep preStop hook, 0 when there is none. */
export function preStopSeconds(container) {
  return container.lifecycle?.preStop?.sleep?.seconds ?? 0;
}
