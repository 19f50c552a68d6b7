import { MeshBuilder } from '../../main/synth/mesh.js';
import { MaterialKind, makeMaterial } from '../../main/synth/materials.js';
import type { Room } from '../../main/synth/room.js';

/** A "room" holding one square plane (label `label`) at world z = 0 facing +z, side `size` metres. */
export function planeRoom(size: number, label: number): Room {
  const mb = new MeshBuilder();
  const h = size / 2;
  mb.addQuad([-h, -h, 0], [h, -h, 0], [h, h, 0], [-h, h, 0], 0);
  return {
    seed: 0, kind: 'office', width: size, depth: size, height: 3, notch: null, walls: [], items: [],
    objects: [{ id: 0, name: 'plane', label, bounds: { min: [-h, -h, 0], max: [h, h, 0] } }],
    materials: [makeMaterial({ kind: MaterialKind.Paint, color: [200, 200, 200], label })],
    mesh: mb.build(), pointLights: [], sun: { direction: [0, 0, -1], color: [1, 1, 1] }, ambient: [0.3, 0.3, 0.3],
    floorOcclusion: { cell: 1, nx: 2, ny: 2, data: new Float32Array(4).fill(1) },
  };
}

/** Camera at height `distance` above the origin looking straight down at the plane (optical axis −z). */
export function poseLookingDown(distance: number): Float64Array {
  // Columns: camera x → world +x, camera y (down in the image) → world −y, camera z (forward) → world −z.
  const T = new Float64Array(16);
  T[0] = 1; T[5] = -1; T[10] = -1; T[15] = 1;
  T[14] = distance;
  return T;
}
