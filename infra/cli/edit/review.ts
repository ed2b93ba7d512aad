// `editledger edit approve|reject ID --reason TEXT`: the four-eyes review of a submitted edit. Under governance
// `requireApproval` a submitted edit is pending until an approver approves it; only approved edits are trained,
// a rejected one never.
import { editDecisionCommand } from './decision.ts';

export const approve = editDecisionCommand({
  name: 'edit approve',
  summary: 'approve a submitted edit (four-eyes review)',
  description: `
Approve an active edit: when the governance policy requires approval (requireApproval), only approved edits are
trained. An edit is reviewed once; approving a rejected, retracted or superseded edit fails.`,
  who: 'who approves it',
  decide: (service, input, context) => service.approveEdit(input, context),
  describe: (result) => `approved edit ${result.editId} (fact ${result.factKey}) at position ${result.position}`,
});

export const reject = editDecisionCommand({
  name: 'edit reject',
  summary: 'reject a submitted edit (four-eyes review): it is never trained',
  description: `
Reject an active edit: when the governance policy requires approval it is never trained. An edit is reviewed
once.`,
  who: 'who rejects it',
  decide: (service, input, context) => service.rejectEdit(input, context),
  describe: (result) => `rejected edit ${result.editId} (fact ${result.factKey}) at position ${result.position}`,
});
