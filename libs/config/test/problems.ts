import assert from 'node:assert/strict';
import type { z } from 'zod';
import { ConfigError, loadConfig } from '@douyin/config';

/** The problems loadConfig reports for `env`, none when it loads. */
export function problemsOf(schema: z.ZodType, env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}
