/**
 * Levenshtein distance with a cut-off: returns `limit + 1` as soon as the distance is known
 * to exceed `limit`, so scanning many candidates stays cheap.
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;

  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = current[0];
    const code = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (code === b.charCodeAt(j - 1) ? 0 : 1);
      const value = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
      current[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/**
 * Returns the candidate closest to `target`: a case-insensitive match first, then the
 * smallest edit distance up to a third of the target's length (at least 1, at most 4).
 * Ties go to the earlier candidate. Returns undefined when nothing is that close.
 */
export function closestMatch(target: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(4, Math.max(1, Math.floor(target.length / 3)));
  const lower = target.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === target) continue;
    if (candidate.toLowerCase() === lower) return candidate;
    // Only a strictly closer candidate can win, so the cut-off shrinks as matches improve.
    const distance = boundedEditDistance(target, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
