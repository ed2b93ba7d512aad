// The given / when of every decider specification: history is built by deciding commands in order (so the events
// are the decider's own, not hand-written), and a command is decided against the state that history folds to.
export interface SpecDecider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface DeciderSpec<Command, Event, State> {
  /** The events the decider records for `commands`, each decided on the state the earlier ones left. */
  given(...commands: Command[]): Event[];
  /** The events (or the thrown error) for `command` after `history`. */
  when(history: Event[], command: Command): Event[];
  /** The state `history` folds to. */
  stateOf(history: Event[]): State;
}

export function deciderSpec<Command, Event, State>(
  decider: SpecDecider<Command, Event, State>,
): DeciderSpec<Command, Event, State> {
  const stateOf = (history: Event[]) => history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
  return {
    given: (...commands) => {
      const events: Event[] = [];
      let state = decider.initialState();
      for (const command of commands) {
        for (const event of decider.decide(command, state)) {
          events.push(event);
          state = decider.evolve(state, event);
        }
      }
      return events;
    },
    when: (history, command) => decider.decide(command, stateOf(history)),
    stateOf,
  };
}
