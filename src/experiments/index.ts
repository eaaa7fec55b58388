// Experiment runner: configs and run names, grids, local and Slurm executors, sweep status.
export * from './config.js';
export * from './args.js';
export * from './grid.js';
export * from './results.js';
export * from './manifest.js';
export * from './run-one.js';
export * from './local.js';
export * from './slurm.js';
export * from './status.js';
export * from './task.js';
export * from './plot.js';
export * from './lock.js';
export * from './parent-watch.js';
