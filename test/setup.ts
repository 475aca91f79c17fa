// Property tests run with a fixed seed by default, so a run (and CI) is reproducible; FC_SEED=random explores new
// inputs on every run, and FC_SEED=<n> replays a failure that fast-check reported with its seed.
import fc from 'fast-check';

const setting = process.env.FC_SEED ?? '20261127';
if (setting !== 'random') fc.configureGlobal({ seed: Number(setting) });
