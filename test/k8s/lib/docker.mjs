// The production container as the kubelet would run it from the rendered Deployment: the
// container's securityContext, resources and environment, a read-only root with /tmp on tmpfs,
// mounted secret files. Host network: the suites' TCP proxies and the shared PostgreSQL and
// Redis listen on 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The client scripts/docker-engine.sh chose (run.sh exports it): Debian's, once docker.io is in.
export const DOCKER = process.env.DOCKER ?? '/usr/bin/docker';

export function docker(...args) {
  return execFileSync(DOCKER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Kubernetes quantity → bytes / CPUs. */
export function bytes(q) {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 }[m[2]] ?? 1;
  return Math.round(Number(m[1]) * unit);
}
export function cpus(q) {
  return String(q).endsWith('m') ? Number(String(q).slice(0, -1)) / 1000 : Number(q);
}

/**
 * docker run arguments for the rendered pod: the user, dropped capabilities and
 * no-new-privileges of the securityContext, a memory limit from resources.limits and (unless
 * `cpuQuota` is false) the CPU *request* as a hard quota, the worst case of a busy node. The
 * manifests set no CPU limit, so a pod may use idle CPU beyond its request. /tmp as a tmpfs of the emptyDir's
 * size. `env` is the container's environment; `mounts` maps container paths to host files.
 */
export function runArgs({ name, image, pod, container, env, mounts = {}, label, cpuQuota = true }) {
  const sc = { ...pod.securityContext, ...container.securityContext };
  const tmp = container.volumeMounts.find((m) => m.mountPath === '/tmp');
  const tmpSize = pod.volumes.find((v) => v.name === tmp.name).emptyDir.sizeLimit;
  const args = ['run', '-d', '--name', name, '--label', label, '--network', 'host'];
  args.push('--user', `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`);
  if (sc.readOnlyRootFilesystem) args.push('--read-only');
  args.push('--tmpfs', `/tmp:rw,noexec,nosuid,size=${bytes(tmpSize)}`);
  for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  args.push(
    '--memory',
    String(bytes(container.resources.limits.memory)),
    '--memory-swap',
    String(bytes(container.resources.limits.memory)),
  );
  if (cpuQuota) args.push('--cpus', String(cpus(container.resources.requests.cpu)));
  for (const [path, file] of Object.entries(mounts)) args.push('-v', `${file}:${path}:ro`);
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push(image);
  return args;
}

export function runContainer(options) {
  return docker(...runArgs(options));
}

export function removeContainer(name) {
  spawnSync(DOCKER, ['rm', '-f', name], { stdio: 'ignore' });
}

export function inspect(name, format) {
  return docker('inspect', '-f', format, name);
}

/** Peak memory of a running container (cgroup v1 or v2), in bytes. */
export function peakMemory(id) {
  for (const file of [
    `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
  ]) {
    try {
      return Number(readFileSync(file, 'utf8').trim());
    } catch {
      // the other cgroup layout
    }
  }
  return undefined;
}
