// `editledger edit reinstate ID --reason TEXT`: bring a retracted or superseded edit back.
import { editDecisionCommand } from './decision.ts';

export const reinstate = editDecisionCommand({
  name: 'edit reinstate',
  summary: 'make a retracted or superseded edit active again',
  description: `
Make a retracted or superseded edit active again, as a recorded decision (an EditReinstated event with who
and why). If its fact has another active edit now, the reinstated one supersedes it. Re-submitting or
re-importing a correction never does this: a redelivery of a known upstream id changes nothing.`,
  who: 'who reinstates it',
  decide: (service, input, context) => service.reinstateEdit(input, context),
  describe: (result) =>
    `reinstated edit ${result.editId} (fact ${result.factKey}) at position ${result.position}` +
    (result.supersededEditId === undefined ? '' : `, superseding ${result.supersededEditId}`),
});
