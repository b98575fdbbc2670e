/**
 * The editor group for the run summary. The choice never creates a group, because a run often
 * ends while the plan and its graph fill two groups, and a third group would squeeze both.
 */

/**
 * Returns the view column (1-based editor group position) to open the summary in.
 *
 * - With the plan shown in one of several groups, the group next to it: the one to its right,
 *   or to its left when the plan is in the last group. The plan then stays in view beside its
 *   summary.
 * - With the plan not shown, the active group.
 *
 * `groups` are the columns of the open groups, `planColumn` the column of the group that
 * shows the plan, if any.
 */
export function summaryColumn(groups: readonly number[], planColumn: number | undefined, activeColumn: number): number {
  if (planColumn === undefined || !groups.includes(planColumn)) return activeColumn;
  const sorted = [...groups].sort((a, b) => a - b);
  const position = sorted.indexOf(planColumn);
  if (position + 1 < sorted.length) return sorted[position + 1];
  if (position > 0) return sorted[position - 1];
  return planColumn;
}
