import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { LatestInput, PairsInput, type Message, type RelationRouter } from '@douyin/contracts';
import { meshError, type MeshClient } from '@douyin/mesh';
import type { GatewayDeps } from '../src/deps.js';

// In-memory relation and message services with the real services' observable rules (existence before
// self_action, idempotent follows, §6.6 polling), behind the narrow client types the gateway uses.

type Exists = (userId: number) => Promise<boolean>;

const failure = (service: string, code: TRPC_ERROR_CODE_KEY, reason?: string) =>
  meshError(service, 'fake', { code, message: 'remote failure', reason }, 500);

async function checkTarget(service: string, exists: Exists, actorId: number, targetId: number) {
  if (!(await exists(targetId))) throw failure(service, 'NOT_FOUND', 'user_not_found');
  if (actorId === targetId) throw failure(service, 'BAD_REQUEST', 'self_action');
}

export type RelationClient = GatewayDeps['relation'] & Pick<MeshClient<RelationRouter>, 'facts' | 'followedAmong'>;

export function fakeRelationService(exists: Exists) {
  let edges: Array<{ from: number; to: number }> = []; // insertion order = relation id order
  const calls: string[] = [];
  const list = (pick: (e: { from: number; to: number }) => number | undefined) =>
    edges.flatMap((e) => (pick(e) === undefined ? [] : [pick(e) as number])).reverse();
  const client = {
    follow: {
      mutate: async ({ actorId, targetId }: { actorId: number; targetId: number }) => {
        await checkTarget('relation', exists, actorId, targetId);
        if (!edges.some((e) => e.from === actorId && e.to === targetId)) edges.push({ from: actorId, to: targetId });
      },
    },
    unfollow: {
      mutate: async ({ actorId, targetId }: { actorId: number; targetId: number }) => {
        await checkTarget('relation', exists, actorId, targetId);
        edges = edges.filter((e) => !(e.from === actorId && e.to === targetId));
      },
    },
    following: {
      query: async ({ userId, limit }: { userId: number; limit?: number }) => {
        if (!(await exists(userId))) throw failure('relation', 'NOT_FOUND', 'user_not_found');
        return list((e) => (e.from === userId ? e.to : undefined)).slice(0, limit);
      },
    },
    followers: {
      query: async ({ userId, limit }: { userId: number; limit?: number }) => {
        if (!(await exists(userId))) throw failure('relation', 'NOT_FOUND', 'user_not_found');
        return list((e) => (e.to === userId ? e.from : undefined)).slice(0, limit);
      },
    },
    friends: {
      query: async ({ userId, limit }: { userId: number; limit?: number }) =>
        list((e) => (e.from === userId && edges.some((b) => b.from === e.to && b.to === userId) ? e.to : undefined)).slice(0, limit),
    },
    facts: {
      query: async ({ userIds }: { userIds: number[] }) => {
        calls.push(`facts:${userIds.join(',')}`);
        return userIds.map((userId) => ({
          userId,
          followCount: edges.filter((e) => e.from === userId).length,
          followerCount: edges.filter((e) => e.to === userId).length,
        }));
      },
    },
    followedAmong: {
      query: async (input: { users: Array<{ userId: number; ids: number[] }> }) => {
        // The service's own input check: a call it would refuse fails here too.
        const { users } = PairsInput.parse(input);
        calls.push(`followedAmong:${users.map((u) => `${u.userId}>${u.ids.join(',')}`).join(';')}`);
        return users.map(({ userId, ids }) => ({ userId, ids: ids.filter((id) => edges.some((e) => e.from === userId && e.to === id)) }));
      },
    },
  } as unknown as RelationClient;
  return { client, calls };
}

export function fakeMessageService(exists: Exists, now: () => number = Date.now) {
  const messages: Message[] = [];
  const calls: string[] = [];
  const between = (a: number, b: number) => (m: Message) => (m.fromId === a && m.toId === b) || (m.fromId === b && m.toId === a);
  const client = {
    send: {
      mutate: async ({ fromId, toId, content }: { fromId: number; toId: number; content: string }) => {
        await checkTarget('message', exists, fromId, toId);
        const last = messages.filter(between(fromId, toId)).at(-1)?.createTime ?? 0;
        const message = { id: messages.length + 1, fromId, toId, content, createTime: Math.max(now(), last + 1) };
        messages.push(message);
        return message;
      },
    },
    conversation: {
      query: async ({ viewerId, peerId, after, limit }: { viewerId: number; peerId: number; after?: number; limit?: number }) => {
        calls.push(`conversation:${after ?? ''}`);
        if (!(await exists(peerId))) throw failure('message', 'NOT_FOUND', 'user_not_found');
        if (!after) return messages.filter(between(viewerId, peerId)).slice(limit === undefined ? 0 : -limit);
        return messages.filter((m) => m.fromId === peerId && m.toId === viewerId && m.createTime > after).slice(0, limit);
      },
    },
    latest: {
      query: async (input: { userId: number; peerIds: number[] }) => {
        const { userId, peerIds } = LatestInput.parse(input);
        calls.push(`latest:${peerIds.join(',')}`);
        return peerIds.flatMap((peerId) => {
          const message = messages.filter(between(userId, peerId)).at(-1);
          return message ? [{ peerId, message }] : [];
        });
      },
    },
    inbox: {
      query: async ({ userIds, since }: { userIds: number[]; since: number }) => {
        calls.push('inbox');
        return {
          // As the service answers: oldest first (a message pushed into `messages` may be stamped before the last one).
          messages: messages
            .filter((m) => m.createTime > since && (userIds.includes(m.toId) || userIds.includes(m.fromId)))
            .sort((a, b) => a.createTime - b.createTime || a.id - b.id),
          now: now(),
        };
      },
    },
  } as unknown as GatewayDeps['message'];
  return { client, messages, calls };
}
