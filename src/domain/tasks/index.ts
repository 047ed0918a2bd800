/** Public surface of the pure task graph core. */
export * from './branch-names.js';
export * from './cycles.js';
export * from './frontmatter.js';
export * from './generations.js';
export * from './graph.js';
export * from './graph-summary.js';
export * from './load-graph.js';
export * from './parse-task.js';
export * from './readiness.js';
export * from './status-edit.js';
export * from './types.js';
