import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

// One policy for BIGINT on both dialects: a value that fits in a double (|n| <= 2^53-1) is a JS number,
// anything larger is a decimal string, never a silently rounded number.

/** mysql2 pool options that implement the policy: BIGINT/COUNT/SUM arrive as numbers, oversized BIGINT as strings. */
export const mysqlNumberOptions = {
  supportBigNumbers: true,
  bigNumberStrings: false,
  decimalNumbers: true,
} as const;

/** Turns the bigints of a `defaultSafeIntegers(true)` better-sqlite3 connection into numbers, or strings past 2^53-1. */
export class SqliteIntegerPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Rows are fresh objects from the driver, so converting in place is safe and avoids a copy per row.
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        const value = row[key];
        if (typeof value === 'bigint') row[key] = toSafeNumber(value);
      }
    }
    return args.result;
  }
}

function toSafeNumber(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}
