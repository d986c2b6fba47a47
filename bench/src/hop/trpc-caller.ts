// A Fastify route calling the stock adapter through tRPC's own httpLink (fetch per call).
import Fastify from 'fastify';
import { createTRPCClient, httpLink } from '@trpc/client';
import { hopAnswer, portOf, type PingRouter } from './ping-router.js';

const client = createTRPCClient<PingRouter>({ links: [httpLink({ url: `http://127.0.0.1:${portOf(process.env, 'CALLEE_PORT')}/trpc` })] });
const app = Fastify({ logger: false });
app.get('/hop', async () => hopAnswer(await client.ping.query()));
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: portOf(process.env) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
