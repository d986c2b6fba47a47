// What SQL and Redis spans record as their statement. The instrumentations' defaults may write the values in:
// mysql2's is made to format every parameter into the SQL (password hashes, messages and comments in traces), and
// ioredis's lists every argument of EVAL/EVALSHA, i.e. each value a cache write-back carries (user profiles, and
// kilobytes per span serialized again on export). Keeping them out protects the users' data and saves that work.

/** SQL as the application wrote it: Kysely sends placeholders and the values apart, so the text has none. */
export const sqlWithoutValues = (sql: string): string => sql;

/** A Redis command with its first argument (a key, or a script's sha) and how many more there were. */
export function redisCommandWithoutValues(command: string, args: readonly unknown[]): string {
  if (args.length === 0) return command;
  // AUTH's first argument is the password (or the user, then the password).
  if (/^auth$/i.test(command)) return `${command} [${args.length} arguments]`;
  const first = args[0];
  const shown = typeof first === 'string' || typeof first === 'number' ? String(first) : '?';
  return args.length === 1 ? `${command} ${shown}` : `${command} ${shown} [${args.length - 1} other arguments]`;
}
