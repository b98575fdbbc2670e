/**
 * Levenshtein distance with a cut-off: returns `limit + 1` as soon as the distance is known
 * to exceed `limit`. Only the diagonal band of width `2 × limit + 1` is computed, because
 * cells outside it are always above the limit, so one comparison costs O(length × limit).
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  const outside = limit + 1;
  let previous = new Int32Array(b.length + 1).fill(outside);
  let current = new Int32Array(b.length + 1).fill(outside);
  for (let j = 0; j <= Math.min(b.length, limit); j++) previous[j] = j;

  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    current.fill(outside, Math.max(0, from - 1), Math.min(b.length, to + 1) + 1);
    current[0] = i <= limit ? i : outside;
    let rowMinimum = current[0];
    const code = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const substitution = previous[j - 1] + (code === b.charCodeAt(j - 1) ? 0 : 1);
      const value = Math.min(substitution, previous[j] + 1, current[j - 1] + 1, outside);
      current[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (rowMinimum > limit) return outside;
    [previous, current] = [current, previous];
  }
  return Math.min(previous[b.length], outside);
}

/**
 * Returns the candidate closest to `target`, other than the excluded ones: a match that
 * differs only in case or Unicode normalisation first, then the smallest edit distance up to
 * a third of the target's length (at most 4). A suggestion must keep more than half of the
 * target, so one-letter ids get none. Ties go to the earlier candidate. Returns undefined
 * when nothing is that close.
 */
export function closestMatch(target: string, candidates: Iterable<string>, exclude?: ReadonlySet<string>): string | undefined {
  const limit = Math.min(4, Math.floor(target.length / 3), Math.ceil(target.length / 2) - 1);
  const normalised = target.normalize('NFC').toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === target || exclude?.has(candidate)) continue;
    if (candidate.normalize('NFC').toLowerCase() === normalised) return candidate;
    if (limit < 1 || bestDistance <= 1) continue;
    // Only a strictly closer candidate can win, so the cut-off shrinks as matches improve.
    const distance = boundedEditDistance(target, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
