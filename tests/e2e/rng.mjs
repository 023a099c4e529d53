// A small seeded generator (xorshift32) for the browser and link tests, so that a failure names
// a case that replays.

/** Numbers in [0, 1) from `seed`, the same sequence for the same seed. */
export function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
