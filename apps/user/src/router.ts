import type { Kysely } from 'kysely';
import type { Cache } from '@douyin/cache';
import { Reason, domainError, userRouter, type UserHandlers, type UserProfile } from '@douyin/contracts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@douyin/auth';
import { isUniqueViolation } from '@douyin/db';
import { ensureTimeToWrite } from '@douyin/mesh';
import * as repo from './repository.js';
import type { UserTables } from './tables.js';

export interface UserDeps {
  db: Kysely<UserTables>;
  /** Profiles, read on every feed page and never changed after registration. */
  cache: Cache;
  now?: () => number;
}

// A profile is written once, at registration, so a cached one is never stale; an unknown id is not cached, so a
// user registered later is found at once.
const PROFILE = 'profile';

const toProfile = (row: repo.UserRow): UserProfile => ({
  id: row.id,
  name: row.username,
  signature: row.signature,
  createdAt: row.created_at,
});

export function createRouter({ db, cache, now = Date.now }: UserDeps) {
  const profiles = async (userIds: readonly number[]): Promise<Map<number, UserProfile>> =>
    (await cache.many<UserProfile>(PROFILE, userIds, async (missing) => {
      const rows = await repo.listUsersByIds(db, missing as number[]);
      return new Map(rows.map((row) => [row.id, toProfile(row)]));
    })) as Map<number, UserProfile>;

  const handlers: UserHandlers = {
    async register({ username, password }) {
      const passwordHash = await hashPassword(password);
      ensureTimeToWrite();
      try {
        return { userId: await repo.insertUser(db, { username, passwordHash, createdAt: now() }) };
      } catch (err) {
        // The unique key decides, so of two concurrent registrations of one name exactly one wins.
        if (isUniqueViolation(err)) throw domainError('CONFLICT', Reason.usernameTaken, 'username already taken', err);
        throw err;
      }
    },

    async login({ username, password }) {
      const row = await repo.findUserByName(db, username);
      // An unknown name costs a hash too and gets the same answer, so neither timing nor text reveals who exists.
      const ok = row ? await verifyPassword(password, row.password_hash) : await verifyAgainstDummy(password);
      if (!row || !ok) throw domainError('UNAUTHORIZED', Reason.badCredentials, 'wrong username or password');
      return { userId: row.id };
    },

    async byId({ userId }) {
      const profile = (await profiles([userId])).get(userId);
      if (!profile) throw domainError('NOT_FOUND', Reason.userNotFound, `user ${userId} not found`);
      return profile;
    },

    async byIds({ userIds }) {
      const found = await profiles(userIds);
      return [...new Set(userIds)].flatMap((id) => found.get(id) ?? []);
    },
  };
  return userRouter(handlers);
}
