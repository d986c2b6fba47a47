import type { FastifyInstance } from 'fastify';
import { apkQuery } from '@douyin/testing';
import { followMarks, relationCounts } from '../src/views/relation.js';
import { fakeUserService, gatewayFor } from './harness.js';
import { fakeMessageService, fakeRelationService } from './social-fakes.js';

export interface Account {
  user_id: number;
  token: string;
}

/** The gateway over fake user, relation and message services wired as main.ts wires the real ones. */
export async function socialGateway(t: { after(fn: () => unknown): void }, now?: () => number, pushConnectionsPerUser?: number, listLimit?: number) {
  const users = fakeUserService();
  const exists = async (id: number) => users.users.has(id);
  const relation = fakeRelationService(exists);
  const message = fakeMessageService(exists, now);
  const app: FastifyInstance = await gatewayFor(t, users.client, undefined, { shared: [relationCounts(relation.client)], marks: [followMarks(relation.client)] }, {
    relation: relation.client,
    message: message.client,
    pushConnectionsPerUser,
  }, {}, {}, { listLimit });
  const register = async (name: string): Promise<Account> =>
    (await app.inject({ method: 'POST', url: `/douyin/user/register/?username=${name}&password=secret1` })).json();
  /** The APK's JSON body for a request with the given query parameters. */
  const call = async (method: 'GET' | 'POST', path: string, query: Record<string, string | number>) =>
    (await app.inject({ method, url: `${path}?${apkQuery(query)}` })).json();
  return { app, relation, message, register, call };
}
