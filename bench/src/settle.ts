import { cacheShares, type CacheLookups } from './cache-lookups.js';
import type { WrkResult } from './wrk.js';

/** One warm-up window: what wrk measured in it and the share of the caches' lookups Redis answered. */
export interface WarmWindow {
  hitRate: number;
  result: WrkResult;
}

export interface SettleRule {
  /** A window whose hit rate rose less than this over the one before ends the warm-up. */
  minRise: number;
  maxWindows: number;
}

/**
 * Whether the caches have settled: the last window's hit rate rose less than `minRise` over the window before (or
 * fell, or a window looked nothing up: there is nothing to warm). A first window alone never has: it is where a cold
 * cache fills fastest.
 */
export function hasSettled(windows: readonly WarmWindow[], minRise: number): boolean {
  if (windows.length < 2) return false;
  const [before, last] = windows.slice(-2) as [WarmWindow, WarmWindow];
  return !(last.hitRate - before.hitRate >= minRise);
}

/**
 * Runs wrk windows against a mesh until its caches' hit rate settles, or `rule.maxWindows` ran. The lists read
 * uniformly random users' likes: a mesh serving them continuously soon holds in Redis nearly everything they touch
 * (at 1M videos, within some 30k lists), while a few seconds of warm-up leave it with what the first lists touched,
 * so a short warm-up would measure a cold cache against a warm one at the small scale.
 */
export async function warmUntilSettled(
  runWindow: () => Promise<WrkResult>,
  lookups: () => Promise<CacheLookups>,
  rule: SettleRule,
  onWindow: (window: WarmWindow, index: number) => void,
): Promise<{ windows: WarmWindow[]; settled: boolean }> {
  const windows: WarmWindow[] = [];
  let before = await lookups();
  while (windows.length < rule.maxWindows) {
    const result = await runWindow();
    const after = await lookups();
    const window = { hitRate: cacheShares(before, after).hitRate, result };
    windows.push(window);
    onWindow(window, windows.length);
    if (hasSettled(windows, rule.minRise)) return { windows, settled: true };
    before = after;
  }
  return { windows, settled: false };
}
