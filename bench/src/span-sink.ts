import { createServer } from 'node:http';
import type { Hooks } from './processes.js';

/**
 * An OTLP/HTTP endpoint that accepts and drops every export, so the measured processes run with tracing on
 * (spans created, propagated and exported in batches) without a collector on the machine. Returns its URL.
 */
export async function startSpanSink(hooks: Hooks): Promise<{ url: string; exports: () => number }> {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hooks.after(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, exports: () => exports };
}
