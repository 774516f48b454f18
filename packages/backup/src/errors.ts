/** A drill that cannot run or did not pass, in one line that says what to do. */
export class DrillError extends Error {
  override name = 'DrillError';
}
