import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveJwtSecret } from '@douyin/auth';
import { DbEnv, EMBEDDED_PORTS, RuntimeEnv, loadConfig, serviceEnv, toDbConfig, toServiceConfig, type MeshApp } from '@douyin/config';
import { APPS, ROOT, envNamesOf, readYamlDocs, shutdownGraceMsOf } from './workspace.js';

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: unknown };
}
interface Container {
  args: string[];
  ports: { containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string }; initialDelaySeconds?: number };
  startupProbe?: { httpGet?: { path: string }; periodSeconds: number; failureThreshold: number };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

const files = readdirSync(join(ROOT, 'deploy/k8s')).filter((f) => f.endsWith('.yaml'));
const resources = files.filter((f) => f !== 'kustomization.yaml').flatMap((f) => readYamlDocs(`deploy/k8s/${f}`) as Resource[]);
const find = (kind: string, name: string) => resources.find((r) => r.kind === kind && r.metadata.name === name);
const containerOf = (app: string) =>
  ((find('Deployment', app)?.spec?.template as { spec: { containers: Container[] } }).spec.containers[0] as Container);

test('every app has a Deployment and a Service on its port, and kustomize lists every file but the example Secret', () => {
  for (const app of APPS) {
    const port = EMBEDDED_PORTS[app as MeshApp];
    assert.ok(find('Deployment', app), `Deployment ${app}`);
    assert.deepEqual(containerOf(app).args, [app]);
    assert.equal(containerOf(app).ports[0]?.containerPort, port);
    const service = find('Service', app)?.spec as { ports: { port: number }[] } | undefined;
    assert.equal(service?.ports[0]?.port, port, `Service ${app}`);
  }
  // Applied with the rest, the example's placeholders would overwrite the real Secret on every apply.
  const kustomization = readYamlDocs('deploy/k8s/kustomization.yaml')[0] as { resources: string[] };
  assert.deepEqual([...kustomization.resources].sort(), files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort());
});

test('probes: readiness on /readyz, liveness on /healthz once a startup probe has waited out the migrations', () => {
  for (const app of APPS) {
    const { readinessProbe, livenessProbe, startupProbe } = containerOf(app);
    assert.equal(readinessProbe?.httpGet?.path, '/readyz', app);
    assert.equal(livenessProbe?.httpGet?.path, '/healthz', app);
    assert.equal(startupProbe?.httpGet?.path, '/healthz', app);
    assert.ok(startupProbe.periodSeconds * startupProbe.failureThreshold >= 600, `${app}: ten minutes to migrate`);
  }
});

test("the gateway's load balancer hands it the phones' own addresses, which its per-IP limits count", () => {
  const service = find('Service', 'gateway')?.spec as { type: string; externalTrafficPolicy?: string };
  assert.deepEqual([service.type, service.externalTrafficPolicy], ['LoadBalancer', 'Local']);
});

test('the gateway keeps taking connections for a moment after it is told to stop, within the grace period', async () => {
  const [command, seconds] = containerOf('gateway').lifecycle?.preStop?.exec?.command ?? [];
  assert.equal(command, 'sleep');
  const grace = (find('Deployment', 'gateway')?.spec?.template as { spec: { terminationGracePeriodSeconds: number } }).spec.terminationGracePeriodSeconds;
  const shutdownGraceSeconds = (await shutdownGraceMsOf('gateway', find('ConfigMap', 'douyin-config')?.data)) / 1000;
  assert.ok(Number(seconds) >= 3 && Number(seconds) + shutdownGraceSeconds < grace, `preStop ${seconds} s + drain ${shutdownGraceSeconds} s < ${grace} s`);
});

test('every Deployment gives its app longer than the app drains before the kubelet kills it', async () => {
  const common = find('ConfigMap', 'douyin-config')?.data;
  for (const app of APPS) {
    const grace = (find('Deployment', app)?.spec?.template as { spec: { terminationGracePeriodSeconds: number } }).spec.terminationGracePeriodSeconds;
    const own = Object.fromEntries((containerOf(app).env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const drainSeconds = (await shutdownGraceMsOf(app, { ...common, ...own })) / 1000;
    assert.ok(drainSeconds < grace, `${app}: drains for ${drainSeconds} s, killed after ${grace} s`);
    // A publish may take its whole budget (a minute): the apps that serve one wait for it.
    if (app === 'gateway' || app === 'video') assert.ok(drainSeconds > 60, `${app}: a ${drainSeconds} s drain cuts a publish off`);
  }
});

test('variable names match the config schemas; secrets come from the Secret, the JWT key included', async () => {
  const config = find('ConfigMap', 'douyin-config');
  const secret = find('Secret', 'douyin-secrets');
  assert.ok(config?.data && secret?.stringData);
  const everyName = new Set<string>();
  for (const app of APPS) for (const name of await envNamesOf(app)) everyName.add(name);
  for (const name of Object.keys(config.data)) assert.ok(everyName.has(name), `ConfigMap ${name} is read by no app`);

  for (const app of APPS) {
    const known = await envNamesOf(app);
    const container = containerOf(app);
    assert.deepEqual(container.envFrom?.map((e) => e.configMapRef?.name), ['douyin-config']);
    for (const env of container.env ?? []) {
      // HOST_IP is no setting of the app: Kubernetes expands it into CONSUL_HTTP_ADDR.
      assert.ok(known.has(env.name) || env.name === 'HOST_IP', `${app}: ${env.name} is not in its config schema`);
      const ref = env.valueFrom?.secretKeyRef;
      if (ref) assert.ok(ref.name === 'douyin-secrets' && ref.key in secret.stringData, `${app}: secret key ${ref.key}`);
    }
    if (known.has('DATABASE_URL')) assert.ok(container.env?.some((e) => e.name === 'DATABASE_URL' && e.valueFrom?.secretKeyRef), `${app}: DATABASE_URL from the Secret`);
    assert.ok(container.env?.some((e) => e.name === 'ADVERTISE_HOST' && e.valueFrom?.fieldRef), `${app} advertises its pod IP`);
    assert.ok(container.env?.some((e) => e.name === 'METRICS_TOKEN' && e.valueFrom?.secretKeyRef?.key === 'metrics-token'), `${app}: METRICS_TOKEN from the Secret`);
  }
  assert.ok(containerOf('gateway').env?.some((e) => e.name === 'JWT_SECRET' && e.valueFrom?.secretKeyRef?.key === 'jwt-secret'));
  // A Secret applied unedited must not go live with a key everyone can read here.
  const placeholder = secret.stringData['jwt-secret'];
  assert.throws(() => resolveJwtSecret({ secret: placeholder, production: true, dataDir: '/nonexistent' }), /placeholder/);
  const env = { ...config.data, METRICS_TOKEN: secret.stringData['metrics-token']! };
  assert.throws(() => toServiceConfig('user', loadConfig(serviceEnv('user'), env)), /METRICS_TOKEN: looks like a placeholder/);
});

test('only the mesh, Consul and the observability namespace reach the services; anyone reaches the gateway', () => {
  const policy = find('NetworkPolicy', 'douyin-services')?.spec as {
    podSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
    policyTypes: string[];
    ingress: { from: Record<string, { matchLabels: Record<string, string> }>[] }[];
  };
  const [selected] = policy.podSelector.matchExpressions;
  assert.deepEqual([selected?.key, selected?.operator], ['app.kubernetes.io/name', 'In']);
  assert.deepEqual(selected?.values.sort(), APPS.filter((app) => app !== 'gateway').sort());
  assert.deepEqual(policy.policyTypes, ['Ingress']);
  const sources = policy.ingress.flatMap((rule) => rule.from);
  assert.ok(sources.some((s) => s.podSelector?.matchLabels['app.kubernetes.io/part-of'] === 'douyin'));
  // Every app's pods carry the label let in, the gateway's included (it calls every service).
  for (const app of APPS) {
    const pods = find('Deployment', app)?.spec?.template as { metadata: { labels: Record<string, string> } };
    assert.equal(pods.metadata.labels['app.kubernetes.io/part-of'], 'douyin', app);
  }
  const config = find('ConfigMap', 'douyin-config')!.data!;
  // The namespaces let in: the Consul agents' (they run the health checks) and that of the tracing address.
  const namespaces = sources.flatMap((s) => Object.values(s.namespaceSelector?.matchLabels ?? {}));
  assert.deepEqual(namespaces.sort(), ['consul', new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).hostname.split('.')[1]].sort());
});

test("every app registers with its node's Consul agent, which checks it, keeps it and deregisters it", () => {
  assert.equal(find('ConfigMap', 'douyin-config')!.data!.CONSUL_HTTP_ADDR, undefined, 'not one address for every node');
  for (const app of APPS) {
    const env = containerOf(app).env ?? [];
    const hostIp = env.findIndex((e) => e.name === 'HOST_IP');
    const consul = env.findIndex((e) => e.name === 'CONSUL_HTTP_ADDR');
    assert.deepEqual(env[hostIp]?.valueFrom?.fieldRef, { fieldPath: 'status.hostIP' }, app);
    // Kubernetes expands $(HOST_IP) only from a variable defined before it.
    assert.ok(hostIp >= 0 && hostIp < consul && env[consul]?.value === 'http://$(HOST_IP):8500', app);
    // An ACL'd Consul refuses registrations without a token; a Secret made before the key existed still starts the pods.
    assert.deepEqual(env.find((e) => e.name === 'CONSUL_TOKEN')?.valueFrom?.secretKeyRef, { name: 'douyin-secrets', key: 'consul-token', optional: true }, app);
  }
});

test('the gateway and the video service scale horizontally', () => {
  for (const app of ['gateway', 'video']) {
    const hpa = find('HorizontalPodAutoscaler', app)?.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    assert.deepEqual(hpa.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: app });
    assert.ok(hpa.minReplicas >= 2 && hpa.maxReplicas > hpa.minReplicas);
  }
});

test('a Deployment an autoscaler scales names no replica count, which every apply would reset it to', () => {
  const scaled = resources.filter((r) => r.kind === 'HorizontalPodAutoscaler').map((r) => (r.spec?.scaleTargetRef as { name: string }).name);
  assert.deepEqual(scaled.sort(), ['gateway', 'video']);
  for (const name of scaled) assert.equal(find('Deployment', name)?.spec?.replicas, undefined, name);
  for (const app of APPS.filter((a) => !scaled.includes(a))) assert.equal(find('Deployment', app)?.spec?.replicas, 2, app);
});

test('a node drain evicts one pod of an app at a time', () => {
  for (const app of APPS) {
    const budget = find('PodDisruptionBudget', app)?.spec as { maxUnavailable?: number; selector: { matchLabels: Record<string, string> } } | undefined;
    assert.equal(budget?.maxUnavailable, 1, app);
    const pods = (find('Deployment', app)?.spec?.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    for (const [label, value] of Object.entries(budget.selector.matchLabels)) assert.equal(pods[label], value, `${app}: ${label}`);
  }
});

test("every process's MySQL pool, at the most replicas and a rolling update's extra pods, fits MySQL's default max_connections", async () => {
  const common = find('ConfigMap', 'douyin-config')?.data ?? {};
  let connections = 0;
  for (const app of APPS) {
    if (!(await envNamesOf(app)).has('DATABASE_URL')) continue;
    const hpa = find('HorizontalPodAutoscaler', app)?.spec as { maxReplicas: number } | undefined;
    const deployment = find('Deployment', app)?.spec as { replicas?: number; strategy?: unknown };
    // Kubernetes' default rolling update starts a quarter more pods (rounded up) before it stops the old ones.
    assert.equal(deployment.strategy, undefined, `${app}: the count below assumes the default strategy`);
    const most = hpa?.maxReplicas ?? deployment.replicas!;
    const replicas = most + Math.ceil(most / 4);
    const env = loadConfig(DbEnv.merge(RuntimeEnv), { ...common, DATABASE_URL: 'mysql://douyin:secret@mysql:3306/douyin' });
    connections += replicas * toDbConfig(app as MeshApp, env).poolSize;
  }
  assert.ok(connections <= 151, `${connections} connections`);
});
