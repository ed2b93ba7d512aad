// The small world and corpus the world tests share (pure and deterministic, so sharing across tests is safe).
import { buildCorpus } from '../../trainer/basemodel/corpus.ts';
import { generateWorld, type World, WORLD_PRESETS } from '../../trainer/basemodel/world.ts';

export const smallWorld = generateWorld({ seed: 7, ...WORLD_PRESETS.small });
export const smallCorpus = buildCorpus(smallWorld, { edits: 300 });
export const smallPretrain = new Set(smallCorpus.pretrain);

export const nameOf = (world: World, id: number): string => (world.entities[id] as { name: string }).name;
