// `editledger edit retract ID --reason TEXT`: end an active edit.
import { editDecisionCommand } from './decision.ts';

export const retract = editDecisionCommand({
  name: 'edit retract',
  summary: 'retract an active edit',
  description: `
Retract an active edit: from the next position on it is no longer in the edit set. The edit it superseded,
if any, stays superseded. Retracting an unknown, retracted or superseded edit fails.`,
  who: 'who retracts it',
  decide: (service, input, context) => service.retractEdit(input, context),
  describe: (result) => `retracted edit ${result.editId} (fact ${result.factKey}) at position ${result.position}`,
});
