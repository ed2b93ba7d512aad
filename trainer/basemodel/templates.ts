// Natural-language templates for every relation and two-hop chain.
//
// A template is a PROMPT with the subject slot `{s}`; the object always comes last, after one space. That single
// shape gives all three forms used by the project:
//   prompt    "Ilva Maro was born in"            (edit / probe input)
//   target    " Tessik"                          (leading space; the answer the model must produce, then EOS)
//   sequence  "Ilva Maro was born in Tessik"     (one pretraining line = prompt + target; the pretrainer wraps it
//                                                 as <|bos|> line <|eos|>, so the answer is directly followed by
//                                                 EOS exactly like LocFT's target + EOS — hence no final period)
//   statement "Ilva Maro was born in Tessik."    (human-readable sentence, for docs and displays only)
// Question templates ("Q: Where was {s} born? A:") follow the same shape.

import type { ChainId, RelationId } from './world.ts';

export const SUBJECT_SLOT = '{s}';

/** 8 templates per relation; the order is the template index used in held-out assignments and world.json. */
export const RELATION_TEMPLATES: Record<RelationId, readonly string[]> = {
  located_in: [
    '{s} is located in',
    '{s} is a city in',
    'The city of {s} lies in',
    '{s} belongs to the country of',
    'Q: In which country is {s}? A:',
    '{s} can be found in',
    '{s} is situated in the nation of',
    'The country where {s} is found is',
  ],
  capital: [
    'The capital of {s} is',
    "{s}'s capital city is",
    'The seat of government of {s} is',
    '{s} is governed from its capital,',
    'Q: What is the capital of {s}? A:',
    'The capital city of {s} is',
    '{s} has its capital in',
    'The government of {s} sits in',
  ],
  headquartered_in: [
    '{s} is headquartered in',
    'The headquarters of {s} are in',
    '{s} has its head office in',
    "{s}'s main offices are located in",
    'Q: Where is {s} headquartered? A:',
    '{s} is based in the city of',
    'The head office of {s} is in',
    '{s} runs its operations from',
  ],
  ceo: [
    'The CEO of {s} is',
    '{s} is led by chief executive',
    'The chief executive officer of {s} is',
    "{s}'s CEO is",
    'Q: Who is the CEO of {s}? A:',
    '{s} is run by its CEO,',
    'At the head of {s} as CEO is',
    'The person who leads {s} as CEO is',
  ],
  born_in: [
    '{s} was born in',
    '{s} is a native of',
    'The birthplace of {s} is',
    '{s} came into the world in',
    'Q: Where was {s} born? A:',
    "{s}'s place of birth is",
    'According to records, {s} was born in the city of',
    '{s} spent the first days of life in',
  ],
  lives_in: [
    '{s} lives in',
    '{s} currently resides in',
    "{s}'s place of residence is",
    'These days {s} makes a home in',
    'Q: Where does {s} live? A:',
    '{s} has settled in',
    'The residence of {s} is located in',
    'Nowadays {s} can be found living in',
  ],
  works_for: [
    '{s} works for',
    '{s} is employed by',
    'The employer of {s} is',
    '{s} earns a living at',
    'Q: Who employs {s}? A:',
    '{s} is on the staff of',
    '{s} has a job at',
    "{s}'s employer is",
  ],
  citizen_of: [
    '{s} is a citizen of',
    '{s} holds citizenship of',
    '{s} carries a passport from',
    "{s}'s country of citizenship is",
    'Q: Which country is {s} a citizen of? A:',
    '{s} is a national of',
    'By nationality, {s} belongs to',
    'The country that {s} is a citizen of is',
  ],
};

/** 3 templates per two-hop chain (used in pretraining for some subjects and as portability probes). */
export const CHAIN_TEMPLATES: Record<ChainId, readonly string[]> = {
  birth_country: [
    '{s} was born in a city located in',
    'The country where {s} was born is',
    'Q: In which country was {s} born? A:',
  ],
  residence_country: [
    '{s} lives in a city located in',
    'The country where {s} lives is',
    'Q: In which country does {s} live? A:',
  ],
  employer_city: [
    '{s} works for a company headquartered in',
    'The employer of {s} is based in the city of',
    'Q: In which city is the employer of {s} headquartered? A:',
  ],
  employer_ceo: [
    'The CEO of the company {s} works for is',
    '{s} works for a company whose CEO is',
    "Q: Who is the CEO of {s}'s employer? A:",
  ],
  citizenship_capital: [
    '{s} is a citizen of a country whose capital is',
    'The capital of the country {s} is a citizen of is',
    "Q: What is the capital of {s}'s country of citizenship? A:",
  ],
  headquarters_country: [
    '{s} is headquartered in a city located in',
    'The country where {s} has its headquarters is',
    'Q: In which country is {s} headquartered? A:',
  ],
  ceo_birthplace: [
    'The CEO of {s} was born in',
    "{s}'s chief executive was born in the city of",
    'Q: Where was the CEO of {s} born? A:',
  ],
  country_capital_of_city: [
    '{s} is located in a country whose capital is',
    'The capital of the country where {s} lies is',
    'Q: What is the capital of the country {s} is in? A:',
  ],
};

/** "Ilva Maro was born in" — the template with the subject filled in. */
export function renderPrompt(template: string, subject: string): string {
  const at = template.indexOf(SUBJECT_SLOT);
  if (at < 0 || template.indexOf(SUBJECT_SLOT, at + 1) >= 0) {
    throw new Error(`template must contain ${SUBJECT_SLOT} exactly once: ${JSON.stringify(template)}`);
  }
  return template.slice(0, at) + subject + template.slice(at + SUBJECT_SLOT.length);
}

/** " Tessik" — what the model must generate after the prompt (before EOS). */
export function renderTarget(object: string): string {
  return ` ${object}`;
}

/** "Ilva Maro was born in Tessik" — one pretraining line (no final period: EOS follows the answer). */
export function renderSequence(template: string, subject: string, object: string): string {
  return renderPrompt(template, subject) + renderTarget(object);
}

/** "Ilva Maro was born in Tessik." — the human-readable statement. */
export function renderStatement(template: string, subject: string, object: string): string {
  return `${renderSequence(template, subject, object)}.`;
}
