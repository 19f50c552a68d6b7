/** The synthetic indoor world: rooms, rendering, sensor noise, trajectories and the demo sequence. */
export { generateRoom, DEFAULT_ROOM_OPTIONS, ROOM_KINDS, roomContains, rectInsideRoom, distanceToWalls } from './room.js';
export type { Room, RoomKind, RoomOptions, Wall, PlacedItem, Rect } from './room.js';
export type { RoomObject, Box3, PointLight, DirectionalLight } from './scene.js';
export { Renderer, renderView, DEFAULT_RENDER_OPTIONS } from './renderer.js';
export type { RenderOptions, RenderResult } from './renderer.js';
export { applyKinectNoise, applyRgbNoise, DEFAULT_KINECT_NOISE } from './noise.js';
export type { KinectNoiseOptions } from './noise.js';
export { sampleTrajectory, sampleViews, lookAt, rotationAngle, clearanceMap, DEFAULT_TRAJECTORY_OPTIONS, DEFAULT_VIEW_OPTIONS } from './trajectory.js';
export type { TrajectoryOptions, ViewOptions } from './trajectory.js';
export { createSyntheticSequence, parseSynthSpec, formatSynthSpec, isSynthSpec, kinectIntrinsics, DEFAULT_SYNTHETIC_SEQUENCE } from './sequence.js';
export type { SyntheticSequence, SyntheticSequenceOptions, SyntheticNoise } from './sequence.js';
export { Rng, hash32, mixSeed } from './random.js';
