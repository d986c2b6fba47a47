import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheLookupsIn, cacheShares } from './cache-lookups.js';

test('sums every cache counter of an exposition and ignores the rest', () => {
  const exposition = [
    '# HELP douyin_favorite_cache_hits_total cache lookups answered from the cache',
    '# TYPE douyin_favorite_cache_hits_total counter',
    'douyin_favorite_cache_hits_total{cache="video-count"} 30',
    'douyin_favorite_cache_hits_total{cache="user-counts"} 12',
    'douyin_favorite_cache_misses_total{cache="video-count"} 70',
    'douyin_favorite_cache_declined_total{cache="video-count"} 1.5e+2',
    'douyin_favorite_cache_failures_total{cache="video-count",operation="read"} 4',
    'douyin_favorite_rpc_server_requests_total{procedure="likedVideos"} 9',
  ].join('\n');
  assert.deepEqual(cacheLookupsIn(exposition), { hits: 42, misses: 70, declined: 150 });
});

test('shares between two readings', () => {
  assert.deepEqual(cacheShares({ hits: 10, misses: 10, declined: 0 }, { hits: 40, misses: 20, declined: 5 }), { hitRate: 0.75, declinedShare: 0.5 });
  // All hits: nothing missed, so nothing was declined (not 0/0).
  assert.deepEqual(cacheShares({ hits: 10, misses: 10, declined: 0 }, { hits: 40, misses: 10, declined: 0 }), { hitRate: 1, declinedShare: 0 });
});
