import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { CAMERA_PRESET_IDS } from '../sources/cameraPresets.js';
import { cameraSpecFromFlags } from '../sources/cameraSpec.js';
import { parseColourCamera } from '../sources/colourRegistration.js';
import type { OpenSequenceOptions } from '../sources/open.js';

/** The flags every command that opens a recording takes: the camera, and a bag's topics. */
export interface SourceFlags {
  intrinsics?: string;
  camera?: string;
  cameraPreset?: string;
  depthScale?: string;
  rgbTopic?: string;
  depthTopic?: string;
  infoTopic?: string;
  poseTopic?: string;
  syncTolerance?: string;
  colourCamera?: string;
}

export function addSourceOptions(command: Command): Command {
  return command
    .option('--intrinsics <fx,fy,cx,cy>', 'the camera\'s pinhole intrinsics in pixels (optionally ,width,height of the calibration), over what the recording says or assumes')
    .option('--camera <file>', 'camera calibration: ROS camera_info YAML, OpenCV YAML/JSON, Open3D intrinsic JSON or a semslam.json')
    .option('--camera-preset <name>', `a known camera instead of a file: ${CAMERA_PRESET_IDS.join(', ')}`)
    .option('--depth-scale <units>', 'integer depth units per metre (1000 = millimetres, 5000 = TUM)')
    .option('--rgb-topic <topic>', 'ROS 2 bag: colour topic (sensor_msgs/msg/Image or CompressedImage)')
    .option('--depth-topic <topic>', 'ROS 2 bag: depth topic, registered to colour')
    .option('--info-topic <topic>', 'ROS 2 bag: sensor_msgs/msg/CameraInfo topic of the colour camera')
    .option('--pose-topic <topic>', 'ROS 2 bag: ground-truth geometry_msgs/msg/PoseStamped or tf2_msgs/msg/TFMessage topic')
    .option('--colour-camera <spec>', 'colour not registered to depth: the colour camera as fx,fy,cx,cy,tx,ty,tz (pixels; its offset from the depth camera in metres, from `semslam calibrate-colour`), or none to take colour as stored (7-Scenes has its own by default)')
    .option('--sync-tolerance <s>', 'ROS 2 bag: largest colour–depth stamp difference of a frame, seconds', '0.02');
}

export async function sourceOpenOptions(flags: SourceFlags): Promise<OpenSequenceOptions> {
  const camera = await cameraSpecFromFlags(flags);
  const tolerance = Number(flags.syncTolerance ?? '0.02');
  if (!(tolerance > 0 && Number.isFinite(tolerance))) throw new InputError('--sync-tolerance', `expected seconds > 0, got "${flags.syncTolerance}"`);
  const mcap = {
    maxAssociationS: tolerance,
    ...(flags.rgbTopic !== undefined ? { rgbTopic: flags.rgbTopic } : {}),
    ...(flags.depthTopic !== undefined ? { depthTopic: flags.depthTopic } : {}),
    ...(flags.infoTopic !== undefined ? { infoTopic: flags.infoTopic } : {}),
    ...(flags.poseTopic !== undefined ? { poseTopic: flags.poseTopic } : {}),
  };
  const colourCamera = flags.colourCamera !== undefined ? parseColourCamera(flags.colourCamera) : undefined;
  return { mcap, ...(camera ? { camera } : {}), ...(colourCamera ? { colourCamera } : {}) };
}
