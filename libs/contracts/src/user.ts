import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { LIMITS, codePointLength, hasControlChars, isBlank, isWellFormedText } from './text-rules.js';
import { procedure, router } from './trpc.js';

export const Username = z
  .string()
  .refine((s) => codePointLength(s) >= LIMITS.username.min && codePointLength(s) <= LIMITS.username.max, {
    message: `username must be ${LIMITS.username.min}-${LIMITS.username.max} characters`,
  })
  .refine((s) => !hasControlChars(s, true), { message: 'username must not contain control characters' })
  .refine(isWellFormedText, { message: 'username must be well-formed Unicode text' })
  .refine((s) => !isBlank(s), { message: 'username must not be blank' });

export const Password = z
  .string()
  .refine((s) => codePointLength(s) >= LIMITS.password.min && codePointLength(s) <= LIMITS.password.max, {
    message: `password must be ${LIMITS.password.min}-${LIMITS.password.max} characters`,
  })
  .refine((s) => !hasControlChars(s), { message: 'password must not contain control characters' })
  .refine(isWellFormedText, { message: 'password must be well-formed Unicode text' });

export const Credentials = z.object({ username: Username, password: Password });
export type Credentials = z.infer<typeof Credentials>;

export const UserIdInput = z.object({ userId: Id });
export type UserIdInput = z.infer<typeof UserIdInput>;

export const UserIdsInput = z.object({ userIds: IdBatch });
export type UserIdsInput = z.infer<typeof UserIdsInput>;

/** The profile the user service owns; counts come from the services that own them. */
export interface UserProfile {
  id: number;
  name: string;
  signature: string;
  createdAt: number;
}

export interface UserHandlers {
  /** Creates an account; CONFLICT/username_taken when the name exists (also under concurrent registration). */
  register(input: Credentials): Promise<{ userId: number }>;
  /** Checks a password; UNAUTHORIZED/bad_credentials for an unknown name or a wrong password alike. */
  login(input: Credentials): Promise<{ userId: number }>;
  /** NOT_FOUND/user_not_found when there is no such user. */
  byId(input: UserIdInput): Promise<UserProfile>;
  /** The users that exist among the ids, in no particular order; unknown ids are left out. */
  byIds(input: UserIdsInput): Promise<UserProfile[]>;
}

export const userRouter = (h: UserHandlers) =>
  router({
    register: procedure.input(Credentials).mutation(({ input }) => h.register(input)),
    login: procedure.input(Credentials).query(({ input }) => h.login(input)),
    byId: procedure.input(UserIdInput).query(({ input }) => h.byId(input)),
    byIds: procedure.input(UserIdsInput).query(({ input }) => h.byIds(input)),
  });
export type UserRouter = ReturnType<typeof userRouter>;
