import type { Kysely } from 'kysely';
import { Reason, domainError, userRouter, type UserHandlers, type UserProfile } from '@douyin/contracts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@douyin/auth';
import { isUniqueViolation } from '@douyin/db';
import * as repo from './repository.js';
import type { UserTables } from './tables.js';

export interface UserDeps {
  db: Kysely<UserTables>;
  now?: () => number;
}

const toProfile = (row: repo.UserRow): UserProfile => ({
  id: row.id,
  name: row.username,
  signature: row.signature,
  createdAt: row.created_at,
});

export function createRouter({ db, now = Date.now }: UserDeps) {
  const handlers: UserHandlers = {
    async register({ username, password }) {
      const passwordHash = await hashPassword(password);
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
      const row = await repo.findUserById(db, userId);
      if (!row) throw domainError('NOT_FOUND', Reason.userNotFound, `user ${userId} not found`);
      return toProfile(row);
    },

    async byIds({ userIds }) {
      return (await repo.listUsersByIds(db, userIds)).map(toProfile);
    },
  };
  return userRouter(handlers);
}
