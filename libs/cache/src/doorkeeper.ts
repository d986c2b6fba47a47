/**
 * Decides which missed keys are worth writing back: a key is admitted the second time it misses while the
 * doorkeeper still remembers the first. Keys read once and never again (most of a long tail read at random) then
 * cost the database read they need anyway, not also a serialization and a Redis write that
 * nobody will read back.
 *
 * Memory is fixed: one 32-bit hash per slot, direct-mapped, so a key is forgotten once a later key lands in its
 * slot (after roughly `slots` other distinct misses). Two keys sharing a slot and a hash admit each other, which
 * costs one write-back nobody asked for, never a wrong answer.
 */
export interface Doorkeeper {
  /** True when `key` missed before and is remembered; otherwise remembers it and says no. */
  admits(key: string): boolean;
}

export function createDoorkeeper(slotsLog2 = 20): Doorkeeper {
  const mask = (1 << slotsLog2) - 1;
  const seen = new Uint32Array(mask + 1);
  return {
    admits(key) {
      // 0 marks an empty slot, so no key may hash to it.
      const hash = fnv1a(key) || 1;
      const slot = hash & mask;
      if (seen[slot] === hash) return true;
      seen[slot] = hash;
      return false;
    },
  };
}

/** Admits every key: plain cache-aside, every miss is written back. */
export const admitEveryMiss: Doorkeeper = { admits: () => true };

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
