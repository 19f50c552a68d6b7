/**
 * Accumulates a room while it is being generated: the mesh, its materials, the labelled objects
 * and the lights. Furniture builders (furniture.ts) draw into it.
 */
import { MeshBuilder, type Mesh, type Vec3 } from './mesh.js';
import { makeMaterial, type Material, type MaterialInput } from './materials.js';

/** Axis-aligned box in world coordinates (metres). */
export interface Box3 {
  readonly min: Vec3;
  readonly max: Vec3;
}

/** One labelled thing in the room (a piece of furniture, a part of it with its own class, a wall). */
export interface RoomObject {
  readonly id: number;
  readonly name: string;
  /** NYUDv2 40-class id (0-based). */
  readonly label: number;
  /** World bounds of its triangles. */
  readonly bounds: Box3;
}

export interface PointLight {
  readonly position: Vec3;
  /** Linear RGB intensity at 1 m. */
  readonly color: Vec3;
}

export interface DirectionalLight {
  /** Unit direction the light travels in (world). */
  readonly direction: Vec3;
  readonly color: Vec3;
}

export interface SceneMark {
  readonly triangles: number;
  readonly materials: number;
  readonly objects: number;
  readonly lights: number;
}

export class SceneBuilder {
  readonly mesh = new MeshBuilder();
  readonly materials: Material[] = [];
  readonly names: string[] = [];
  readonly labels: number[] = [];
  readonly pointLights: PointLight[] = [];

  material(m: MaterialInput): number {
    this.materials.push(makeMaterial(m));
    return this.materials.length - 1;
  }

  /** Starts a new labelled object: triangles added from now on belong to it. */
  begin(name: string, label: number): number {
    this.names.push(name);
    this.labels.push(label);
    this.mesh.object = this.names.length - 1;
    return this.mesh.object;
  }

  /** A point to roll back to if a placement turns out not to fit. */
  mark(): SceneMark {
    return { triangles: this.mesh.triangleCount, materials: this.materials.length, objects: this.names.length, lights: this.pointLights.length };
  }

  rollback(m: SceneMark): void {
    this.mesh.truncate(m.triangles);
    this.materials.length = m.materials;
    this.names.length = m.objects;
    this.labels.length = m.objects;
    this.pointLights.length = m.lights;
  }

  /** Finishes: the mesh plus per-object bounds. */
  build(): { mesh: Mesh; objects: RoomObject[] } {
    const mesh = this.mesh.build();
    const n = this.names.length;
    const lo = new Float64Array(n * 3).fill(Infinity);
    const hi = new Float64Array(n * 3).fill(-Infinity);
    for (let t = 0; t < mesh.triangleCount; t++) {
      const o = mesh.objects[t];
      for (let k = 0; k < 3; k++) {
        for (let c = 0; c < 3; c++) {
          const v = mesh.positions[t * 9 + k * 3 + c];
          if (v < lo[o * 3 + c]) lo[o * 3 + c] = v;
          if (v > hi[o * 3 + c]) hi[o * 3 + c] = v;
        }
      }
    }
    const objects: RoomObject[] = [];
    for (let i = 0; i < n; i++) {
      objects.push({
        id: i,
        name: this.names[i],
        label: this.labels[i],
        bounds: { min: [lo[i * 3], lo[i * 3 + 1], lo[i * 3 + 2]], max: [hi[i * 3], hi[i * 3 + 1], hi[i * 3 + 2]] },
      });
    }
    return { mesh, objects };
  }
}
