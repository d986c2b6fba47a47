// A gateway-style route making one call over libs/mesh (request scope, discovery, breaker, deadline, tracing,
// metrics): the hop the gateway pays per service call, measured against bare.ts.
import type { PingRouter } from './ping-router.js';
import { createHttpApp, createRuntime, scopeRequests, serve } from '@douyin/mesh';
import { benchServiceConfig } from './mesh-config.js';
import { hopAnswer } from './ping-router.js';

const runtime = createRuntime(benchServiceConfig('gateway'));
const hop = runtime.mesh.client<PingRouter>('hop');
const app = createHttpApp(runtime.logger);
scopeRequests(app, runtime.config.mesh.timeoutMs);
app.get('/hop', async () => hopAnswer(await hop.ping.query()));
await serve({ app, config: runtime.config, registry: runtime.registry, logger: runtime.logger, onShutdown: [() => runtime.mesh.close()] });
