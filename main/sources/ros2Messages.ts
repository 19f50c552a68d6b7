import { parse as parseMessageDefinition } from '@foxglove/rosmsg';
import type { MessageDefinition } from '@foxglove/message-definition';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';

/**
 * The ROS 2 message types semslam reads from and writes to bags, as rosbag2 stores their schemas in MCAP
 * (encoding `ros2msg`: the type's .msg text, then each dependency after a `===` line and `MSG: pkg/Type`).
 * Readers never rely on these texts: they parse the schema each bag carries. Writers use them, so what we
 * write is what `ros2 bag record` would write for the same types.
 */
const MSG = {
  'builtin_interfaces/Time': 'int32 sec\nuint32 nanosec',
  'std_msgs/Header': 'builtin_interfaces/Time stamp\nstring frame_id',
  'sensor_msgs/Image': 'std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data',
  'sensor_msgs/CompressedImage': 'std_msgs/Header header\nstring format\nuint8[] data',
  'sensor_msgs/RegionOfInterest': 'uint32 x_offset\nuint32 y_offset\nuint32 height\nuint32 width\nbool do_rectify',
  'sensor_msgs/CameraInfo': 'std_msgs/Header header\nuint32 height\nuint32 width\nstring distortion_model\nfloat64[] d\nfloat64[9] k\nfloat64[9] r\nfloat64[12] p\nuint32 binning_x\nuint32 binning_y\nsensor_msgs/RegionOfInterest roi',
  'sensor_msgs/PointField': 'uint8 INT8 = 1\nuint8 UINT8 = 2\nuint8 INT16 = 3\nuint8 UINT16 = 4\nuint8 INT32 = 5\nuint8 UINT32 = 6\nuint8 FLOAT32 = 7\nuint8 FLOAT64 = 8\nstring name\nuint32 offset\nuint8 datatype\nuint32 count',
  'sensor_msgs/PointCloud2': 'std_msgs/Header header\nuint32 height\nuint32 width\nsensor_msgs/PointField[] fields\nbool is_bigendian\nuint32 point_step\nuint32 row_step\nuint8[] data\nbool is_dense',
  'geometry_msgs/Point': 'float64 x\nfloat64 y\nfloat64 z',
  'geometry_msgs/Vector3': 'float64 x\nfloat64 y\nfloat64 z',
  'geometry_msgs/Quaternion': 'float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1',
  'geometry_msgs/Pose': 'geometry_msgs/Point position\ngeometry_msgs/Quaternion orientation',
  'geometry_msgs/PoseStamped': 'std_msgs/Header header\ngeometry_msgs/Pose pose',
  'geometry_msgs/Transform': 'geometry_msgs/Vector3 translation\ngeometry_msgs/Quaternion rotation',
  'geometry_msgs/TransformStamped': 'std_msgs/Header header\nstring child_frame_id\ngeometry_msgs/Transform transform',
  'tf2_msgs/TFMessage': 'geometry_msgs/TransformStamped[] transforms',
  'nav_msgs/Path': 'std_msgs/Header header\ngeometry_msgs/PoseStamped[] poses',
} as const;

type ShortName = keyof typeof MSG;

/** Fully qualified ROS 2 names (`sensor_msgs/msg/Image`) of the types we write. */
export type Ros2Type =
  | 'sensor_msgs/msg/Image' | 'sensor_msgs/msg/CompressedImage' | 'sensor_msgs/msg/CameraInfo' | 'sensor_msgs/msg/PointCloud2'
  | 'geometry_msgs/msg/PoseStamped' | 'tf2_msgs/msg/TFMessage' | 'nav_msgs/msg/Path';

const DEPENDENCY = /^\s*([a-z_0-9]+\/[A-Za-z0-9_]+)(?:\[\d*\])?\s+\w+/;

function shortName(type: string): string {
  return type.replace('/msg/', '/');
}

/** The `ros2msg` schema text of a type: its definition, then every type it uses, each once. */
export function ros2SchemaText(type: Ros2Type): string {
  const root = shortName(type) as ShortName;
  const order: ShortName[] = [];
  const visit = (name: ShortName): void => {
    for (const line of MSG[name].split('\n')) {
      const m = DEPENDENCY.exec(line);
      if (!m) continue;
      const dep = m[1] as ShortName;
      if (!(dep in MSG)) throw new Error(`ros2Messages: ${name} uses ${dep}, which has no definition`);
      if (dep !== root && !order.includes(dep)) {
        order.push(dep);
        visit(dep);
      }
    }
  };
  visit(root);
  const sep = '='.repeat(80);
  return [MSG[root], ...order.map((dep) => `${sep}\nMSG: ${dep}\n${MSG[dep]}`)].join('\n');
}

/** Parses a bag's `ros2msg` schema (throws the parser's error on bad text). */
export function parseRos2Schema(text: string): MessageDefinition[] {
  return parseMessageDefinition(text, { ros2: true });
}

/** A CDR reader for a schema text. */
export function ros2Reader<T>(schemaText: string): MessageReader<T> {
  return new MessageReader<T>(parseRos2Schema(schemaText));
}

/** A CDR writer for one of our types. */
export function ros2Writer(type: Ros2Type): MessageWriter {
  return new MessageWriter(parseRos2Schema(ros2SchemaText(type)));
}

/** The message shapes as the CDR reader returns them (fields we use; arrays of uint8 are views). */
export interface Ros2Time { sec: number; nanosec: number }
export interface Ros2Header { stamp: Ros2Time; frame_id: string }
export interface Ros2Image { header: Ros2Header; height: number; width: number; encoding: string; is_bigendian: number; step: number; data: Uint8Array }
export interface Ros2CompressedImage { header: Ros2Header; format: string; data: Uint8Array }
export interface Ros2CameraInfo {
  header: Ros2Header; height: number; width: number; distortion_model: string;
  d: ArrayLike<number>; k: ArrayLike<number>; r: ArrayLike<number>; p: ArrayLike<number>;
}
export interface Ros2Vector3 { x: number; y: number; z: number }
export interface Ros2Quaternion { x: number; y: number; z: number; w: number }
export interface Ros2PoseStamped { header: Ros2Header; pose: { position: Ros2Vector3; orientation: Ros2Quaternion } }
export interface Ros2TransformStamped { header: Ros2Header; child_frame_id: string; transform: { translation: Ros2Vector3; rotation: Ros2Quaternion } }
export interface Ros2TfMessage { transforms: Ros2TransformStamped[] }

export function stampSeconds(t: Ros2Time): number {
  return t.sec + t.nanosec * 1e-9;
}

/** Seconds → ROS time, nanoseconds rounded so that the stamps of frames written at 6 decimals survive exactly. */
export function rosTime(seconds: number): Ros2Time {
  let sec = Math.floor(seconds);
  let nanosec = Math.round((seconds - sec) * 1e9);
  if (nanosec >= 1e9) { sec += 1; nanosec -= 1e9; }
  return { sec, nanosec };
}

export function timeToNanoseconds(t: Ros2Time): bigint {
  return BigInt(t.sec) * 1_000_000_000n + BigInt(t.nanosec);
}
