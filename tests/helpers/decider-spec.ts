// The given / when of every decider specification: history is built by deciding commands in order (so the events
// are the decider's own, not hand-written), and a command is decided against the state that history folds to.
// Both stamp ids and metadata the way the command handler does (decideCommand), so specs assert stored events.
import { decideCommand } from '../../domain/command-handler.ts';
import type { CommandEnvelope, Decider } from '../../domain/command-handler.ts';
import type { StampedEvent } from '../../domain/decided-event.ts';

export interface DeciderSpec<Command, Event, State> {
  /** The events the decider records for `commands`, each decided on the state the earlier ones left. */
  given(...commands: Command[]): Event[];
  /** The events (or the thrown error) for `command` after `history`. */
  when(history: Event[], command: Command): Event[];
  /** The state `history` folds to. */
  stateOf(history: Event[]): State;
}

export function deciderSpec<Command extends CommandEnvelope, Event extends StampedEvent, State>(
  decider: Decider<State, Command, Event>,
): DeciderSpec<Command, Event, State> {
  const stateOf = (history: Event[]) => history.reduce((s, e) => decider.evolve(s, e), decider.initialState());
  return {
    given: (...commands) => {
      const events: Event[] = [];
      let state = decider.initialState();
      for (const command of commands) {
        for (const event of decideCommand(decider, command, state)) {
          events.push(event);
          state = decider.evolve(state, event);
        }
      }
      return events;
    },
    when: (history, command) => decideCommand(decider, command, stateOf(history)),
    stateOf,
  };
}
