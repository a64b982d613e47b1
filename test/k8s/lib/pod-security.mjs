// The restricted Pod Security Standard (Kubernetes 1.36, "latest"), as rules over a pod spec:
// https://kubernetes.io/docs/concepts/security/pod-security-standards/ — baseline controls first,
// then the restricted ones. Returns one message per violation.
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

/** Violations of the restricted profile in one pod spec (`where` prefixes each message). */
export function restrictedViolations(spec, where) {
  const v = [];
  const pod = spec.securityContext ?? {};
  const containers = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  // --- baseline ---
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push('host namespaces are shared');
  if (pod.windowsOptions?.hostProcess) v.push('pod: hostProcess');
  for (const vol of spec.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (type === 'hostPath') v.push(`volume ${vol.name}: hostPath`);
    if (!RESTRICTED_VOLUME_TYPES.has(type)) v.push(`volume ${vol.name}: type ${type} not allowed`);
  }
  for (const s of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(s.name)) v.push(`pod: unsafe sysctl ${s.name}`);
  }
  const checkSeLinux = (o, who) => {
    if (!o) return;
    if (!SELINUX_TYPES.has(o.type ?? '')) v.push(`${who}: seLinuxOptions.type ${o.type}`);
    if (o.user || o.role) v.push(`${who}: seLinuxOptions user/role set`);
  };
  const checkAppArmor = (p, who) => {
    if (p && !['RuntimeDefault', 'Localhost'].includes(p.type))
      v.push(`${who}: appArmorProfile ${p.type}`);
  };
  checkSeLinux(pod.seLinuxOptions, 'pod');
  checkAppArmor(pod.appArmorProfile, 'pod');
  for (const [key, value] of Object.entries(spec.annotations ?? {})) {
    if (
      key.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
      value === 'unconfined'
    ) {
      v.push(`annotation ${key}: unconfined`);
    }
  }
  // --- restricted: pod level ---
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') v.push('pod: seccompProfile Unconfined');
  if (pod.runAsUser === 0) v.push('pod: runAsUser 0');
  for (const c of containers) {
    const who = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged) v.push(`${who}: privileged`);
    if (sc.windowsOptions?.hostProcess) v.push(`${who}: hostProcess`);
    if ((sc.procMount ?? 'Default') !== 'Default') v.push(`${who}: procMount ${sc.procMount}`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${who}: hostPort ${p.hostPort}`);
    checkSeLinux(sc.seLinuxOptions, who);
    checkAppArmor(sc.appArmorProfile, who);
    if (sc.allowPrivilegeEscalation !== false)
      v.push(`${who}: allowPrivilegeEscalation is not false`);
    if (!(
      sc.runAsNonRoot === true ||
      (sc.runAsNonRoot === undefined && pod.runAsNonRoot === true)
    )) {
      v.push(`${who}: runAsNonRoot is not true`);
    }
    if (sc.runAsUser === 0) v.push(`${who}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp))
      v.push(`${who}: seccompProfile ${seccomp ?? 'unset'}`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) v.push(`${who}: capabilities do not drop ALL`);
    for (const add of caps.add ?? [])
      if (add !== 'NET_BIND_SERVICE') v.push(`${who}: adds capability ${add}`);
  }
  return v.map((m) => `${where}: ${m}`);
}

/** The pod template of a workload object, or undefined for other kinds. */
export function podTemplate(object) {
  if (object.kind === 'Pod') return { metadata: object.metadata, spec: object.spec };
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template;
  return object.spec?.template?.spec ? object.spec.template : undefined;
}
