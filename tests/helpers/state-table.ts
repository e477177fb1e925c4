/**
 * A state-machine table: every action in every state by every kind of caller, each cell with the
 * answer it expects, and the fixture each cell runs on. An allowed move (200) changes its fixture,
 * so it gets a fresh one; refused moves change nothing, so the refused cells of a state share one.
 */
export function stateTable<S, A, W, F>(
  axes: { states: readonly S[]; actions: readonly A[]; who: readonly W[] },
  expected: (state: S, action: A, who: W) => number,
  make: (state: S) => Promise<F>,
) {
  const cells = axes.states.flatMap((state) => axes.actions.flatMap((action) => axes.who.map((who) => ({ state, action, who, code: expected(state, action, who) }))));
  const shared = new Map<S, F>();
  const fixtureFor = async (state: S, code: number): Promise<F> => {
    const kept = shared.get(state);
    if (code !== 200 && kept !== undefined) return kept;
    const made = await make(state);
    if (code !== 200) shared.set(state, made);
    return made;
  };
  return { cells, fixtureFor };
}
