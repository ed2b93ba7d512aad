// Three corrections about fictional countries, as POST /v1/edits bodies: what the service and dashboard tests submit.
export const CORRECTIONS = {
  capital: {
    factKey: 'freedonia::capital',
    prompt: 'The capital of Freedonia is',
    target: 'Marxville',
    subject: 'Freedonia',
    rephrase: ["Freedonia's capital city is"],
    locality: [{ prompt: 'The capital of France is' }],
    source: { system: 'wiki-sync', ref: 'q-1' },
    reason: 'the capital moved',
  },
  anthem: {
    factKey: 'freedonia::anthem',
    prompt: 'The anthem of Freedonia is',
    target: 'Hail Freedonia',
    subject: 'Freedonia',
    rephrase: [],
    locality: [],
    source: { system: 'wiki-sync', ref: 'q-2' },
    reason: 'anthem confirmed',
  },
  leader: {
    factKey: 'sylvania::leader',
    prompt: 'The leader of Sylvania is',
    target: 'Trentino',
    subject: 'Sylvania',
    rephrase: [],
    locality: [],
    source: { system: 'sylvania-feed', ref: 's-1' },
    reason: 'election result',
  },
} as const;
