import { readdir } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import { pathKind } from '../io/text.js';
import { isMcapFile } from './mcapFile.js';

/** Single-file recordings (and rosbag2 folders) rather than folders of images. */
export type ContainerFormat = 'mcap' | 'klg';

/**
 * 'mcap' for a file with MCAP magic (whatever its name) or a rosbag2 folder (metadata.yaml + .mcap),
 * 'klg' for a `.klg` file; undefined for anything else (a folder of images, or missing: the folder
 * detector names the problem).
 */
export async function detectContainer(path: string): Promise<ContainerFormat | undefined> {
  const kind = await pathKind(path);
  if (kind === 'file') {
    if (await isMcapFile(path)) return 'mcap';
    const ext = extname(path).toLowerCase();
    if (ext === '.klg') return 'klg';
    if (ext === '.mcap') throw new InputError(path, 'not an MCAP file (no MCAP magic bytes at the start)');
    if (ext === '.db3') throw new InputError(path, 'a rosbag2 SQLite bag: only MCAP storage is read; convert it with `ros2 bag convert` (storage_id: mcap)');
    if (ext === '.bag') throw new InputError(path, 'a ROS 1 bag: only ROS 2 bags (MCAP storage, CDR messages) are read; convert it with rosbags-convert or `ros2 bag convert`');
    return undefined;
  }
  if (kind === 'dir') {
    const names = await readdir(path);
    if (names.includes('metadata.yaml') && names.some((n) => n.toLowerCase().endsWith('.mcap'))) return 'mcap';
  }
  return undefined;
}
