// The same procedure behind tRPC's stock Fastify adapter, as its documentation sets it up.
import Fastify from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { pingRouter, portOf } from './ping-router.js';

const app = Fastify({ logger: false, routerOptions: { maxParamLength: 1000 } });
await app.register(fastifyTRPCPlugin, {
  prefix: '/trpc',
  trpcOptions: { router: pingRouter, createContext: () => ({ requestId: '', deadline: Date.now() + 3_000 }) },
});
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: portOf(process.env) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
