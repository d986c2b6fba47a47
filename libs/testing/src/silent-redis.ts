import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface SilentRedis {
  url: string;
  /** Connections clients have opened to it so far. */
  connections(): number;
}

const INFO = '# Server\r\nloading:0\r\n';

/**
 * A Redis that answers a client's ready check (INFO) and then nothing: a paused Redis (SIGSTOP, `docker pause`), or
 * one whose address went silent. Stopped after the test.
 */
export async function startSilentRedis(t: { after(fn: () => unknown): void }): Promise<SilentRedis> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      if (/info/i.test(chunk.toString())) socket.write(`$${Buffer.byteLength(INFO)}\r\n${INFO}\r\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(resolve))));
  return { url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}
