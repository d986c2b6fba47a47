// The reference: a bare Fastify route answering the same JSON as every hop variant, with no call behind it.
import Fastify from 'fastify';
import { hopAnswer, portOf } from './ping-router.js';

const app = Fastify({ logger: false });
app.get('/hop', async () => hopAnswer('pong'));
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: portOf(process.env) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
