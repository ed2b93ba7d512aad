// The tests' seeded PRNG is the trainer's (trainer/random/mulberry32.ts), so every run replays the same values.
export { mulberry32 } from '../../trainer/random/mulberry32.ts';
