import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsFor } from '@douyin/metrics';
import { dashboards, readText, readYaml } from './workspace.js';

interface ScrapeConfig {
  consul_sd_configs?: { server: string; tags: string[] }[];
  http_sd_configs?: { url: string }[];
  relabel_configs?: { target_label?: string }[];
}
const scrapeConfigs = (file: string) => (readYaml(`deploy/prometheus/${file}`) as { scrape_configs: ScrapeConfig[] }).scrape_configs;

test('prometheus.yml discovers through Consul by the tag every instance registers with', () => {
  const consul = scrapeConfigs('prometheus.yml')[0]?.consul_sd_configs?.[0];
  assert.deepEqual(consul, { server: 'consul:8500', tags: ['prometheus'] });
  assert.match(readText('libs/mesh/src/serve.ts'), /tags: \['douyin', 'prometheus'/, 'serve() registers the tag Prometheus keeps');
});

test('the http_sd variant reads the gateway discovery endpoint', () => {
  assert.equal(scrapeConfigs('prometheus-http-sd.yml')[0]?.http_sd_configs?.[0]?.url, 'http://gateway:8080/sd/prometheus');
});

test('no metric has a label the scrape sets on every series itself', () => {
  // A clashing label is renamed exported_<label> at scrape time, and a query by it groups by the scraped target.
  const targetLabels = ['prometheus.yml', 'prometheus-http-sd.yml'].flatMap((file) =>
    scrapeConfigs(file).flatMap((c) => (c.relabel_configs ?? []).map((r) => r.target_label ?? '')),
  );
  const reserved = new Set(['instance', 'job', 'service', ...targetLabels.filter((label) => !label.startsWith('__'))]);
  const metrics = metricsFor('labels').registry.getMetricsAsArray();
  assert.ok(metrics.some((m) => m.name.endsWith('breaker_state')) && reserved.size > 3);
  for (const metric of metrics) {
    const labels = (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    for (const label of labels) assert.ok(!reserved.has(label), `${metric.name}: label ${label}`);
  }
});

test('grafana provisions the Prometheus datasource every panel uses, and the four dashboards', () => {
  const datasources = readYaml('grafana/provisioning/datasources/prometheus.yml') as { datasources: { uid: string; url: string }[] };
  assert.deepEqual(datasources.datasources.map((d) => [d.uid, d.url]), [['prometheus', 'http://prometheus:9090']]);
  const providers = readYaml('grafana/provisioning/dashboards/douyin.yml') as { providers: { options: { path: string } }[] };
  assert.equal(providers.providers[0]?.options.path, '/var/lib/grafana/dashboards');
  const all = dashboards();
  assert.deepEqual(all.map((d) => d.uid).sort(), ['douyin-breakers-limits', 'douyin-cache-db', 'douyin-mesh-overview', 'douyin-service-red']);
  for (const dashboard of all) {
    assert.ok(dashboard.panels.length > 0, dashboard.title);
    for (const panel of dashboard.panels) {
      assert.equal(panel.datasource.uid, 'prometheus', panel.title);
      assert.ok(panel.targets.length > 0 && panel.targets.every((t) => t.expr.length > 0), panel.title);
      // Names follow douyin_<service>_<what>_<unit>: every metric a panel reads is one of ours or Prometheus' own `up`.
      for (const { expr } of panel.targets) assert.match(expr, /douyin_|\bup\b/, `${panel.title}: ${expr}`);
    }
  }
});
