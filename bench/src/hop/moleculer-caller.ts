// A Fastify route calling the Moleculer service over its TCP transporter: the mature Node mesh to compare with.
import Fastify from 'fastify';
import { broker } from './moleculer-node.js';
import { hopAnswer, portOf } from './ping-router.js';

const node = broker('caller');
await node.start();
await node.waitForServices(['hop'], 20_000);
const app = Fastify({ logger: false });
app.get('/hop', async () => hopAnswer(await node.call<string, Record<string, never>>('hop.ping', {})));
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: portOf(process.env) });
process.once('SIGTERM', () => void Promise.all([app.close(), node.stop()]).then(() => process.exit(0)));
