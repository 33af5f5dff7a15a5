/**
 * Deterministic PRNG (mulberry32): the same seed yields the same numbers in [0, 1), so a demo
 * generated or seeded again is the same (the hub's population, anagrafe's and tributi's seeds).
 */
export function demoRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
