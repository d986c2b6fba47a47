// The same trivial action as a Moleculer service; readiness is served by a tiny Fastify route for the runner.
import Fastify from 'fastify';
import { broker } from './moleculer-node.js';
import { portOf } from './ping-router.js';

const node = broker('callee');
node.createService({ name: 'hop', actions: { ping: () => 'pong' } });
await node.start();
const health = Fastify({ logger: false });
health.get('/readyz', async () => ({ status: 'ready' }));
await health.listen({ host: '127.0.0.1', port: portOf(process.env) });
process.once('SIGTERM', () => void Promise.all([health.close(), node.stop()]).then(() => process.exit(0)));
