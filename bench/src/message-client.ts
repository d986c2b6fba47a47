import type { MessageRouter } from '@douyin/contracts';
import { createMesh, type MeshClient } from '@douyin/mesh';
import { createStaticRegistry } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';

/**
 * A mesh client of the message service at `messageUrl` alone, as the bench's steps call it past the gateway: no
 * retries (a figure must not hide a failed call) and a budget long enough for any read a step times.
 */
export function directMessageClient(messageUrl: string): { message: MeshClient<MessageRouter>; close(): Promise<void> } {
  const logger = silentLogger();
  const registry = createStaticRegistry({ staticServices: `message=${new URL(messageUrl).host}`, logger });
  const mesh = createMesh({ registry, logger, timeoutMs: 10_000, retries: 0, breaker: { errorPercent: 50, volume: 20, consecutiveFailures: 20, resetMs: 10_000 } });
  return { message: mesh.client<MessageRouter>('message'), close: () => mesh.close() };
}
