import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dashboards, readText, readYaml } from './workspace.js';

test('prometheus.yml discovers through Consul by the tag every instance registers with', () => {
  const config = readYaml('deploy/prometheus/prometheus.yml') as { scrape_configs: { consul_sd_configs?: { server: string; tags: string[] }[] }[] };
  const consul = config.scrape_configs[0]?.consul_sd_configs?.[0];
  assert.deepEqual(consul, { server: 'consul:8500', tags: ['prometheus'] });
  assert.match(readText('libs/mesh/src/serve.ts'), /tags: \['douyin', 'prometheus'/, 'serve() registers the tag Prometheus keeps');
});

test('the http_sd variant reads the gateway discovery endpoint', () => {
  const config = readYaml('deploy/prometheus/prometheus-http-sd.yml') as { scrape_configs: { http_sd_configs?: { url: string }[] }[] };
  assert.equal(config.scrape_configs[0]?.http_sd_configs?.[0]?.url, 'http://gateway:8080/sd/prometheus');
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
