/**
 * Segmentation: label maps, region growing, brush, morphology, interpolation, voxel diffs (for
 * undo) and lesion statistics. Pure (no DOM, three, cornerstone or lit): runs in node and in workers.
 */
export * from './labelmap';
export * from './history';
export * from './grid';
export * from './morphology';
export * from './region-grow';
export * from './brush';
export * from './interpolate';
export * from './partial-volume';
export * from './scan-blur';
export * from './stats';
export * from './seeded-grow';
export * from './criteria';
export * from './seed-model';
