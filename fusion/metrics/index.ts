export { alignPoints, symmetricEigen4, type Alignment, type AlignmentKind } from './align.js';
export { ateRmse, rpe, DEFAULT_ATE_OPTIONS, DEFAULT_RPE_OPTIONS, type AteOptions, type AteResult, type RpeOptions, type RpeResult, type RpeDeltaUnit } from './trajectory.js';
export { ConfusionMatrix, type ConfusionMatrixOptions, type SegmentationScores } from './segmentation.js';
export { DepthMetrics, depthMetrics, DEFAULT_DEPTH_METRICS_OPTIONS, type DepthMetricsOptions, type DepthScores } from './depth.js';
export { summarise, median, percentile, type ErrorStats } from './stats.js';
