import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface PartitionProxy {
  /** The target's URL with the proxy's host and port in it. */
  url: string;
  /** From now on nothing crosses, either way: connections stay open and new ones are accepted, but no byte arrives. */
  cut(): void;
  /** Delivers what was held, in order, and carries on, as TCP retransmits once the path is back. */
  heal(): void;
  /** Connections whose client reset them (RST) so far: what they had sent during a cut was never delivered. */
  resets(): number;
}

/**
 * A TCP proxy to the server at `targetUrl` (`defaultPort` when the URL names none) that can be cut like a network
 * partition: a server host gone silent without closing anything (a lost link, a paused VM, a firewall change), which a
 * stopped server does not reproduce. Bytes sent during a cut are held and delivered when it heals, unless their sender
 * reset the connection first (its kernel drops what it had not delivered); a graceful close during a cut is delivered
 * after what came before it. Stopped after the test.
 */
export async function startPartitionProxy(t: { after(fn: () => unknown): void }, targetUrl: string, defaultPort: number): Promise<PartitionProxy> {
  const target = new URL(targetUrl);
  let isCut = false;
  let resets = 0;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket)));

  const carry = (from: Socket, to: Socket, isClient: boolean) => {
    const deliver = (step: () => void) => (isCut ? held.push(step) : step());
    from.on('data', (chunk) => deliver(() => to.destroyed || to.write(chunk)));
    from.on('end', () => deliver(() => to.destroyed || to.end()));
    from.on('error', (err: NodeJS.ErrnoException) => {
      if (isClient && err.code === 'ECONNRESET') resets += 1;
      to.destroy();
    });
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || defaultPort), allowHalfOpen: true });
    track(client);
    track(upstream);
    carry(client, upstream, true);
    carry(upstream, client, false);
    // A reset arrives as an error on the side that got it; a side that closed quietly takes the other one along.
    client.on('close', () => upstream.destroyed || (client.readableEnded ? undefined : upstream.destroy()));
    upstream.on('close', () => client.destroyed || (upstream.readableEnded ? undefined : client.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(resolve))));
  const proxied = new URL(targetUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    cut: () => void (isCut = true),
    heal() {
      isCut = false;
      for (const step of held.splice(0)) step();
    },
    resets: () => resets,
  };
}
