/**
 * Procedural furnished rooms. `generateRoom(seed)` draws a room kind, a rectangular or L-shaped
 * footprint, a door, windows (with curtains or blinds), furniture against walls and in the middle,
 * objects on surfaces and pictures on walls, then lights. Every placement is checked against the
 * room outline and everything placed before (3D boxes), and rolled back if it does not fit.
 */
import { Rng, mixSeed } from './random.js';
import { SceneBuilder, type Box3, type DirectionalLight, type PointLight, type RoomObject } from './scene.js';
import { type Mesh, type Placement, type Vec3 } from './mesh.js';
import { MaterialKind, type Material } from './materials.js';
import { FURNITURE, WALL_PIECES, type FurnitureName, type WallPieceName, fabricMaterial, vary, wallColor, woodMaterial } from './furniture.js';
import { C } from './labels.js';

export type RoomKind = 'bedroom' | 'living' | 'office' | 'kitchen' | 'bathroom' | 'dining';
export const ROOM_KINDS: readonly RoomKind[] = ['bedroom', 'living', 'office', 'kitchen', 'bathroom', 'dining'];

export interface RoomOptions {
  /** Room kind; drawn from the seed when undefined. */
  readonly kind?: RoomKind;
  /** Probability of an L-shaped footprint. */
  readonly lShapeProbability: number;
  /** Ceiling height range, metres. */
  readonly minCeiling: number;
  readonly maxCeiling: number;
  /**
   * Floor plan × this (1 = the kinds' own sizes, 2.4–6.5 m a side). Larger rooms give a depth network the far
   * depths of real scenes: trained on 1×, the network put 3.3–4.4 m deep NYUDv2 scenes 1.21–1.41× too near.
   */
  readonly sizeScale: number;
}

export const DEFAULT_ROOM_OPTIONS: RoomOptions = {
  lShapeProbability: 0.35,
  minCeiling: 2.4,
  maxCeiling: 3.2,
  sizeScale: 1,
};

/** Axis-aligned rectangle on the floor (world x, y, metres). */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** A wall: segment a→b of the counter-clockwise outline; `normal` points into the room. */
export interface Wall {
  readonly a: readonly [number, number];
  readonly b: readonly [number, number];
  readonly normal: readonly [number, number];
  readonly length: number;
}

/** Something placed in the room, as the union of the objects it is made of. */
export interface PlacedItem {
  readonly name: string;
  /** 'floor': stands on the floor; 'wall': hangs on a wall; 'mat': lies flat on the floor (walkable). */
  readonly kind: 'floor' | 'wall' | 'mat' | 'opening';
  readonly bounds: Box3;
  /** Objects (indices into Room.objects) that make it up. */
  readonly objects: readonly number[];
}

/** Ambient occlusion of the floor baked on a grid (furniture contact shadows). */
export interface FloorOcclusion {
  readonly cell: number;
  readonly nx: number;
  readonly ny: number;
  /** Multiplier 0..1 per cell, row-major (y rows). */
  readonly data: Float32Array;
}

export interface Room {
  readonly seed: number;
  readonly kind: RoomKind;
  /** Bounding rectangle [0, width] × [0, depth]; floor at z = 0, ceiling at z = height (z up). */
  readonly width: number;
  readonly depth: number;
  readonly height: number;
  /** The corner removed to make an L shape, or null for a rectangle. */
  readonly notch: Rect | null;
  readonly walls: readonly Wall[];
  readonly items: readonly PlacedItem[];
  readonly objects: readonly RoomObject[];
  readonly materials: readonly Material[];
  readonly mesh: Mesh;
  readonly pointLights: readonly PointLight[];
  readonly sun: DirectionalLight;
  readonly ambient: Vec3;
  readonly floorOcclusion: FloorOcclusion;
}

// ---- geometry helpers ---------------------------------------------------------------------------

/** True when (x, y) is inside the room footprint by at least `margin`. */
export function roomContains(room: Pick<Room, 'width' | 'depth' | 'notch'>, x: number, y: number, margin = 0): boolean {
  if (x < margin || y < margin || x > room.width - margin || y > room.depth - margin) return false;
  const n = room.notch;
  if (n && x > n.x0 - margin && y > n.y0 - margin) return false;
  return true;
}

/** True when the rectangle lies inside the room footprint. */
export function rectInsideRoom(room: Pick<Room, 'width' | 'depth' | 'notch'>, r: Rect, eps = 1e-9): boolean {
  if (r.x0 < -eps || r.y0 < -eps || r.x1 > room.width + eps || r.y1 > room.depth + eps) return false;
  const n = room.notch;
  if (n && r.x1 > n.x0 + eps && r.y1 > n.y0 + eps) return false;
  return true;
}

/** Distance from (x, y) to the closest wall segment. */
export function distanceToWalls(walls: readonly Wall[], x: number, y: number): number {
  let best = Infinity;
  for (const w of walls) {
    const dx = w.b[0] - w.a[0], dy = w.b[1] - w.a[1];
    const t = Math.max(0, Math.min(1, ((x - w.a[0]) * dx + (y - w.a[1]) * dy) / (dx * dx + dy * dy)));
    const d = Math.hypot(x - w.a[0] - t * dx, y - w.a[1] - t * dy);
    if (d < best) best = d;
  }
  return best;
}

/** Distance from (x, y) to a rectangle (0 inside). */
export function distanceToRect(r: Rect, x: number, y: number): number {
  const dx = Math.max(r.x0 - x, 0, x - r.x1);
  const dy = Math.max(r.y0 - y, 0, y - r.y1);
  return Math.hypot(dx, dy);
}

function boxesOverlap(a: Box3, b: Box3, margin: number): boolean {
  for (let c = 0; c < 3; c++) if (a.max[c] <= b.min[c] + margin || b.max[c] <= a.min[c] + margin) return false;
  return true;
}

function outline(width: number, depth: number, notch: Rect | null): [number, number][] {
  if (!notch) return [[0, 0], [width, 0], [width, depth], [0, depth]];
  return [[0, 0], [width, 0], [width, notch.y0], [notch.x0, notch.y0], [notch.x0, depth], [0, depth]];
}

// ---- the generator ------------------------------------------------------------------------------

const SIZES: Record<RoomKind, [number, number, number, number]> = {
  bedroom: [3.2, 4.6, 3.2, 5.0],
  living: [4.2, 6.5, 3.6, 5.6],
  office: [3.2, 5.2, 3.2, 5.0],
  kitchen: [3.0, 4.6, 3.0, 4.6],
  bathroom: [2.4, 3.4, 2.4, 3.2],
  dining: [3.6, 5.2, 3.2, 4.6],
};

interface Layout {
  readonly room: Pick<Room, 'width' | 'depth' | 'height' | 'notch' | 'walls'>;
  readonly s: SceneBuilder;
  readonly rng: Rng;
  readonly items: PlacedItem[];
  readonly windows: { wall: number; t0: number; t1: number; z0: number; z1: number }[];
}

/** Builds something with `build`, keeps it if its bounds fit, otherwise undoes it. */
function tryPlace(L: Layout, name: string, kind: PlacedItem['kind'], build: () => void, margin = 0.02, ignore?: PlacedItem): PlacedItem | null {
  const mark = L.s.mark();
  build();
  const bb = L.s.mesh.boundsSince(mark.triangles);
  const bounds: Box3 = { min: [bb[0], bb[1], bb[2]], max: [bb[3], bb[4], bb[5]] };
  const rect: Rect = { x0: bb[0], y0: bb[1], x1: bb[3], y1: bb[4] };
  let ok = Number.isFinite(bb[0]) && rectInsideRoom(L.room, rect, 1e-6) && bb[2] >= -1e-6 && bb[5] <= L.room.height - 0.02;
  if (ok) {
    for (const it of L.items) {
      if (it === ignore) continue;
      // Mats lie under furniture; everything else keeps clear of everything.
      if (kind === 'mat' && it.kind !== 'opening') continue;
      if (it.kind === 'mat' && kind !== 'opening') continue;
      if (boxesOverlap(bounds, it.bounds, -margin)) { ok = false; break; }
    }
  }
  if (!ok) {
    L.s.rollback(mark);
    return null;
  }
  const objects: number[] = [];
  for (let i = mark.objects; i < L.s.names.length; i++) objects.push(i);
  const item: PlacedItem = { name, kind, bounds, objects };
  L.items.push(item);
  return item;
}

function wallPlacement(w: Wall, t: number, offset: number): Placement {
  const dx = (w.b[0] - w.a[0]) / w.length, dy = (w.b[1] - w.a[1]) / w.length;
  return {
    x: w.a[0] + dx * t + w.normal[0] * offset,
    y: w.a[1] + dy * t + w.normal[1] * offset,
    z: 0,
    yaw: Math.atan2(-w.normal[0], w.normal[1]),
  };
}

/** Furniture with its back against a wall (random wall and position unless given). */
function placeAgainstWall(L: Layout, name: FurnitureName, tries = 25, wallIndex?: number): PlacedItem | null {
  const spec = FURNITURE[name];
  for (let i = 0; i < tries; i++) {
    const size = spec.size(L.rng);
    const wi = wallIndex ?? L.rng.int(0, L.room.walls.length - 1);
    const w = L.room.walls[wi];
    if (w.length < size.w + 0.1) continue;
    const t = L.rng.uniform(size.w / 2 + 0.03, w.length - size.w / 2 - 0.03);
    // Tall things stay clear of windows; low ones may stand under the sill.
    if (L.windows.some((o) => o.wall === wi && t + size.w / 2 > o.t0 && t - size.w / 2 < o.t1 && size.h > o.z0 - 0.1)) continue;
    const p = wallPlacement(w, t, size.d / 2 + 0.015);
    const item = tryPlace(L, name, 'floor', () => spec.build(L.s, L.rng, p, size));
    if (item) return item;
  }
  return null;
}

/** Furniture at a given spot and heading (relative placements: chairs at tables, night stands). */
function placeAt(L: Layout, name: FurnitureName, x: number, y: number, yaw: number, margin = 0.02): PlacedItem | null {
  const spec = FURNITURE[name];
  const size = spec.size(L.rng);
  return tryPlace(L, name, 'floor', () => spec.build(L.s, L.rng, { x, y, z: 0, yaw }, size), margin);
}

/** Free-standing furniture somewhere in the open, axis-aligned or at a random angle. */
function placeFree(L: Layout, name: FurnitureName, wallClearance: number, tries = 25, kind: PlacedItem['kind'] = 'floor'): PlacedItem | null {
  const spec = FURNITURE[name];
  for (let i = 0; i < tries; i++) {
    const size = spec.size(L.rng);
    const x = L.rng.uniform(wallClearance, L.room.width - wallClearance);
    const y = L.rng.uniform(wallClearance, L.room.depth - wallClearance);
    if (!roomContains(L.room, x, y, wallClearance)) continue;
    const yaw = L.rng.int(0, 3) * (Math.PI / 2) + (name === 'table' || name === 'rug' ? 0 : L.rng.uniform(-0.3, 0.3));
    const item = tryPlace(L, name, kind, () => spec.build(L.s, L.rng, { x, y, z: 0, yaw }, size));
    if (item) return item;
  }
  return null;
}

/** Something hanging on a wall (pictures, mirrors, shelves, whiteboards, towels). */
function placeOnWall(L: Layout, piece: WallPieceName, w: number, h: number, z0: number, tries = 20, wallIndex?: number, t?: number): PlacedItem | null {
  for (let i = 0; i < tries; i++) {
    const wi = wallIndex ?? L.rng.int(0, L.room.walls.length - 1);
    const wall = L.room.walls[wi];
    if (wall.length < w + 0.3) continue;
    const tt = t ?? L.rng.uniform(w / 2 + 0.1, wall.length - w / 2 - 0.1);
    const p = wallPlacement(wall, tt, 0.002);
    const item = tryPlace(L, piece, 'wall', () => WALL_PIECES[piece](L.s, L.rng, p, w, h, z0), 0.01);
    if (item) return item;
  }
  return null;
}

function addShell(L: Layout, outlinePts: [number, number][]): void {
  const { s, rng, room } = L;
  const H = room.height;
  s.begin('wall', C.wall);
  const wallM = s.material({ kind: MaterialKind.Paint, color: wallColor(rng), label: C.wall, seed: rng.int(0, 255) });
  for (const w of room.walls) {
    s.mesh.addQuad([w.b[0], w.b[1], 0], [w.a[0], w.a[1], 0], [w.a[0], w.a[1], H], [w.b[0], w.b[1], H], wallM);
  }
  // Skirting boards along the walls (same label as the wall, as NYUDv2 annotates them).
  const skirt = s.material({ kind: MaterialKind.Plastic, color: vary(rng, rng.pick<[number, number, number]>([[240, 240, 236], [120, 90, 60], [200, 200, 196]]), 0.03), label: C.wall });
  for (const w of room.walls) {
    const dx = (w.b[0] - w.a[0]) / w.length, dy = (w.b[1] - w.a[1]) / w.length;
    const nx = w.normal[0] * 0.012, ny = w.normal[1] * 0.012;
    const a: Vec3 = [w.a[0] + nx, w.a[1] + ny, 0], b: Vec3 = [w.b[0] + nx, w.b[1] + ny, 0];
    void dx; void dy;
    const a2 = a;
    s.mesh.addQuad([b[0], b[1], 0], [a2[0], a2[1], 0], [a2[0], a2[1], 0.08], [b[0], b[1], 0.08], skirt);
    s.mesh.addQuad([b[0], b[1], 0.08], [a2[0], a2[1], 0.08], [a2[0] - nx, a2[1] - ny, 0.08], [b[0] - nx, b[1] - ny, 0.08], skirt);
  }
  const rects: [number, number, number, number][] = room.notch
    ? [[0, 0, room.width, room.notch.y0], [0, room.notch.y0, room.notch.x0, room.depth]]
    : [[0, 0, room.width, room.depth]];
  s.begin('floor', C.floor);
  const floorKind = rng.pick([MaterialKind.Parquet, MaterialKind.Parquet, MaterialKind.Tiles, MaterialKind.Carpet]);
  const tileKinds = L.rng.chance(0.5);
  const floorColor = floorKind === MaterialKind.Parquet ? vary(rng, rng.pick<[number, number, number]>([[180, 130, 84], [150, 105, 70], [205, 170, 120], [120, 85, 60]]))
    : floorKind === MaterialKind.Tiles ? vary(rng, rng.pick<[number, number, number]>([[210, 205, 195], [160, 150, 140], [230, 228, 220], [120, 120, 124]]))
      : vary(rng, rng.pick<[number, number, number]>([[140, 130, 120], [90, 100, 110], [170, 160, 140], [110, 90, 80]]));
  const floorM = s.material({
    kind: floorKind, color: floorColor,
    color2: floorKind === MaterialKind.Tiles ? [110, 108, 104] : [floorColor[0] * 0.72, floorColor[1] * 0.7, floorColor[2] * 0.68],
    label: C.floor, scale: floorKind === MaterialKind.Tiles ? (tileKinds ? 0.3 : 0.45) : rng.uniform(0.08, 0.14), seed: rng.int(0, 255),
    specular: floorKind === MaterialKind.Carpet ? 0 : 0.12,
  });
  const tex = { origin: [0, 0, 0] as Vec3, u: (rng.chance(0.5) ? [1, 0, 0] : [0, 1, 0]) as Vec3 };
  for (const [x0, y0, x1, y1] of rects) s.mesh.addQuad([x0, y0, 0], [x1, y0, 0], [x1, y1, 0], [x0, y1, 0], floorM, tex);
  s.begin('ceiling', C.ceiling);
  const ceilM = s.material({ kind: MaterialKind.Paint, color: vary(rng, [244, 244, 240], 0.02), label: C.ceiling, seed: rng.int(0, 255) });
  for (const [x0, y0, x1, y1] of rects) s.mesh.addQuad([x0, y0, H], [x0, y1, H], [x1, y1, H], [x1, y0, H], ceilM, { origin: [0, 0, H], u: [1, 0, 0] });
  void outlinePts;
}

function addDoor(L: Layout): void {
  const { s, rng, room } = L;
  const candidates = room.walls.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 1.4);
  for (let attempt = 0; attempt < 10; attempt++) {
    const [wall, wi] = rng.pick(candidates);
    const dw = rng.uniform(0.78, 0.92), dh = rng.uniform(2.0, Math.min(2.15, room.height - 0.2));
    const t = rng.uniform(dw / 2 + 0.15, wall.length - dw / 2 - 0.15);
    const p = wallPlacement(wall, t, 0);
    const item = tryPlace(L, 'door', 'opening', () => {
      s.begin('door', C.door);
      const leaf = woodMaterial(s, rng, C.door, 0.55);
      const frame = s.material({ kind: MaterialKind.Plastic, color: vary(rng, [236, 236, 232], 0.03), label: C.door });
      const handle = s.material({ kind: MaterialKind.Metal, color: [190, 190, 194], label: C.door, specular: 0.5 });
      s.mesh.addBox(p, -dw / 2 - 0.07, 0, 0, -dw / 2, 0.025, dh + 0.07, frame);
      s.mesh.addBox(p, dw / 2, 0, 0, dw / 2 + 0.07, 0.025, dh + 0.07, frame);
      s.mesh.addBox(p, -dw / 2, 0, dh, dw / 2, 0.025, dh + 0.07, frame);
      s.mesh.addBox(p, -dw / 2, 0, 0, dw / 2, 0.035, dh, leaf);
      const hx = dw / 2 - 0.08;
      s.mesh.addBox(p, hx - 0.02, 0.035, 1.0, hx + 0.02, 0.06, 1.06, handle);
      s.mesh.addBox(p, hx - 0.12, 0.05, 1.02, hx + 0.02, 0.07, 1.04, handle);
      // Keep the swing area free: an invisible reservation is recorded below via the item bounds.
    });
    if (item) {
      // Reserve the floor in front of the door (the door swing) for walking.
      const q = wallPlacement(wall, t, 0.5);
      const half = dw / 2 + 0.1;
      const ax = Math.abs(wall.normal[0]) > 0.5;
      const rx = ax ? 0.5 : half, ry = ax ? half : 0.5;
      L.items.push({ name: 'door swing', kind: 'opening', bounds: { min: [q.x - rx, q.y - ry, 0], max: [q.x + rx, q.y + ry, dh] }, objects: [] });
      void wi;
      return;
    }
  }
}

function addWindow(L: Layout, avoidWall: number): void {
  const { s, rng, room } = L;
  for (let attempt = 0; attempt < 12; attempt++) {
    const wi = rng.int(0, room.walls.length - 1);
    const wall = room.walls[wi];
    if (wi === avoidWall && attempt < 8) continue;
    if (wall.length < 1.3) continue;
    const ww = rng.uniform(0.8, Math.min(2.2, wall.length - 0.5));
    const z0 = rng.uniform(0.75, 1.0), z1 = Math.min(room.height - 0.25, rng.uniform(2.0, 2.3));
    const t = rng.uniform(ww / 2 + 0.2, wall.length - ww / 2 - 0.2);
    const p = wallPlacement(wall, t, 0);
    const dressing = rng.pick(['curtains', 'curtains', 'blinds', 'none'] as const);
    const windowItem = tryPlace(L, 'window', 'opening', () => {
      s.begin('window', C.window);
      const frame = s.material({ kind: MaterialKind.Plastic, color: rng.chance(0.7) ? vary(rng, [240, 240, 238], 0.02) : vary(rng, [120, 84, 56]), label: C.window, specular: 0.15 });
      const glass = s.material({ kind: MaterialKind.Outside, color: [200, 220, 240], label: C.window, emissive: 0.75, height: z1 - z0, width: ww, seed: rng.int(0, 255) });
      const f = 0.06;
      s.mesh.addBox(p, -ww / 2, 0, z0, ww / 2, 0.012, z1, frame, true, glass);
      s.mesh.addBox(p, -ww / 2 - f, 0, z0 - f, -ww / 2, 0.06, z1 + f, frame);
      s.mesh.addBox(p, ww / 2, 0, z0 - f, ww / 2 + f, 0.06, z1 + f, frame);
      s.mesh.addBox(p, -ww / 2, 0, z1, ww / 2, 0.06, z1 + f, frame);
      s.mesh.addBox(p, -ww / 2 - f - 0.04, 0, z0 - f - 0.03, ww / 2 + f + 0.04, 0.16, z0, frame);
      const panes = Math.max(1, Math.round(ww / 0.7));
      for (let k = 1; k < panes; k++) {
        const x = -ww / 2 + (k * ww) / panes;
        s.mesh.addBox(p, x - 0.03, 0.012, z0, x + 0.03, 0.05, z1, frame);
      }
      if (rng.chance(0.5)) s.mesh.addBox(p, -ww / 2, 0.012, (z0 + z1) / 2 + 0.1, ww / 2, 0.05, (z0 + z1) / 2 + 0.15, frame);
    });
    if (!windowItem) continue;
    L.windows.push({ wall: wi, t0: t - ww / 2 - 0.15, t1: t + ww / 2 + 0.15, z0, z1 });
    if (dressing === 'curtains') {
      const zTop = Math.min(room.height - 0.05, z1 + 0.15);
      const zBottom = rng.chance(0.6) ? 0.02 : z0 - 0.1;
      for (const side of [-1, 1]) {
        const cw = rng.uniform(0.3, 0.5);
        const x0 = side < 0 ? -ww / 2 - 0.1 - cw * 0.5 : ww / 2 + 0.1 - cw * 0.5;
        tryPlace(L, 'curtain', zBottom < 0.1 ? 'floor' : 'wall', () => {
          s.begin('curtain', C.curtain);
          const m = fabricMaterial(s, rng, C.curtain);
          const folds = 6;
          for (let k = 0; k < folds; k++) {
            const off = k % 2 ? 0.05 : 0.02;
            s.mesh.addBox(p, x0 + (k * cw) / folds, 0.2 + off, zBottom, x0 + ((k + 1) * cw) / folds, 0.24 + off, zTop, m);
          }
        }, 0.0, windowItem);
      }
    } else if (dressing === 'blinds') {
      tryPlace(L, 'blinds', 'wall', () => {
        s.begin('blinds', C.blinds);
        const m = s.material({ kind: MaterialKind.Plastic, color: vary(rng, rng.pick<[number, number, number]>([[236, 236, 230], [200, 190, 170], [150, 150, 150]]), 0.03), label: C.blinds, specular: 0.1 });
        const drop = (z1 - z0) * rng.uniform(0.3, 1.0);
        const n = Math.floor(drop / 0.05);
        for (let k = 0; k < n; k++) {
          const z = z1 - 0.05 * (k + 1);
          s.mesh.addBox(p, -ww / 2, 0.07, z, ww / 2, 0.11, z + 0.042, m, false);
        }
        s.mesh.addBox(p, -ww / 2 - 0.02, 0.06, z1, ww / 2 + 0.02, 0.12, z1 + 0.05, m, false);
      }, 0.0, windowItem);
    }
    if (rng.chance(0.5) && z0 > 0.75) {
      tryPlace(L, 'radiator', 'floor', () => {
        s.begin('radiator', C.otherStructure);
        const m = s.material({ kind: MaterialKind.Metal, color: vary(rng, [236, 236, 234], 0.02), label: C.otherStructure, specular: 0.2 });
        const rw = Math.min(ww, rng.uniform(0.6, 1.2));
        s.mesh.addBox(p, -rw / 2, 0.04, 0.15, rw / 2, 0.07, 0.15 + 0.5, m);
        for (let x = -rw / 2 + 0.04; x < rw / 2 - 0.02; x += 0.08) s.mesh.addBox(p, x, 0.07, 0.16, x + 0.03, 0.12, 0.64, m);
        s.mesh.addBox(p, -0.02 - rw / 2, 0.0, 0.0, -rw / 2 + 0.02, 0.07, 0.15, m);
      }, 0.0);
    }
    return;
  }
}

function addCeilingLights(L: Layout): void {
  const { s, rng, room } = L;
  const spots: [number, number][] = room.notch
    ? [[room.width / 2, room.notch.y0 / 2], [room.notch.x0 / 2, (room.notch.y0 + room.depth) / 2]]
    : room.width * room.depth > 18 ? [[room.width * 0.3, room.depth / 2], [room.width * 0.7, room.depth / 2]] : [[room.width / 2, room.depth / 2]];
  const warm = rng.uniform(0.85, 1);
  const power = rng.uniform(1.4, 2.4) / spots.length;
  for (const [x, y] of spots) {
    s.begin('ceiling light', C.lamp);
    const shade = s.material({ kind: MaterialKind.Emissive, color: [250, 248, 240], label: C.lamp, emissive: 1.2 });
    const trim = s.material({ kind: MaterialKind.Metal, color: [200, 200, 204], label: C.lamp, specular: 0.3 });
    const p: Placement = { x, y, z: 0, yaw: 0 };
    const r = rng.uniform(0.15, 0.28);
    s.mesh.addCylinder(p, 0, 0, room.height - 0.06, room.height - 0.001, r, r * 1.05, 16, trim, { top: false, bottom: false });
    s.mesh.addCylinder(p, 0, 0, room.height - 0.061, room.height - 0.06, r * 0.95, r * 0.95, 16, shade, { top: false, bottom: true }, shade);
    L.items.push({ name: 'ceiling light', kind: 'wall', bounds: { min: [x - r * 1.05, y - r * 1.05, room.height - 0.061], max: [x + r * 1.05, y + r * 1.05, room.height] }, objects: [s.names.length - 1] });
    s.pointLights.push({ position: [x, y, room.height - 0.35], color: [power * 1.6, power * 1.5 * warm, power * 1.35 * warm] });
  }
}

function tableWithChairs(L: Layout, minChairs: number, maxChairs: number): void {
  const table = placeFree(L, 'table', 1.3, 25) ?? placeFree(L, 'table', 1.0, 10);
  if (!table) return;
  const b = table.bounds;
  const cx = (b.min[0] + b.max[0]) / 2, cy = (b.min[1] + b.max[1]) / 2;
  const hx = (b.max[0] - b.min[0]) / 2, hy = (b.max[1] - b.min[1]) / 2;
  const seats: [number, number, number][] = [];
  const along = hx > hy;
  const n = Math.max(1, Math.floor(((along ? hx : hy) * 2) / 0.58));
  for (let k = 0; k < n; k++) {
    const f = n === 1 ? 0 : (k / (n - 1) - 0.5) * 2 * ((along ? hx : hy) - 0.3);
    // Chair front (+y local) faces the table: yaw so that local +y points at the table.
    if (along) { seats.push([cx + f, cy - hy - 0.33, 0], [cx + f, cy + hy + 0.33, Math.PI]); }
    else { seats.push([cx - hx - 0.33, cy + f, -Math.PI / 2], [cx + hx + 0.33, cy + f, Math.PI / 2]); }
  }
  L.rng.shuffle(seats);
  const count = L.rng.int(minChairs, maxChairs);
  let placed = 0;
  for (const [x, y, yaw] of seats) {
    if (placed >= count) break;
    if (placeAt(L, 'chair', x, y, yaw + L.rng.uniform(-0.08, 0.08), 0.0) || placeAt(L, 'chair', x, y, yaw, 0.0)) placed++;
  }
}

function furnish(L: Layout, kind: RoomKind): void {
  const { rng } = L;
  const maybe = (p: number, f: () => unknown) => { if (rng.chance(p)) f(); };
  switch (kind) {
    case 'bedroom': {
      const bed = placeAgainstWall(L, 'bed', 40);
      if (bed) {
        // Night stands beside the head of the bed, on the wall the headboard touches.
        const b = bed.bounds;
        const cx = (b.min[0] + b.max[0]) / 2, cy = (b.min[1] + b.max[1]) / 2;
        let best: Wall | null = null, bestD = Infinity;
        for (const w of L.room.walls) {
          const d = Math.abs((cx - w.a[0]) * w.normal[0] + (cy - w.a[1]) * w.normal[1]);
          const along = Math.abs(w.normal[0]) > 0.5 ? b.max[0] - b.min[0] : b.max[1] - b.min[1];
          const half = along / 2;
          if (Math.abs(d - half) < 0.05 && d < bestD) { bestD = d; best = w; }
        }
        if (best) {
          const wall = best;
          const dx = (wall.b[0] - wall.a[0]) / wall.length, dy = (wall.b[1] - wall.a[1]) / wall.length;
          const t = (cx - wall.a[0]) * dx + (cy - wall.a[1]) * dy;
          const bedW = Math.abs(dx) > 0.5 ? b.max[0] - b.min[0] : b.max[1] - b.min[1];
          for (const side of [-1, 1]) {
            if (!rng.chance(0.8)) continue;
            const p = wallPlacement(wall, t + side * (bedW / 2 + 0.3), 0.23);
            placeAt(L, 'nightStand', p.x, p.y, p.yaw, 0.0);
          }
        }
        maybe(0.4, () => placeFree(L, 'rug', 0.5, 10, 'mat'));
      }
      maybe(0.7, () => placeAgainstWall(L, 'wardrobe'));
      maybe(0.6, () => placeAgainstWall(L, 'dresser'));
      maybe(0.35, () => deskCorner(L));
      maybe(0.3, () => placeAgainstWall(L, 'bookshelf'));
      maybe(0.3, () => placeAgainstWall(L, 'chair'));
      maybe(0.5, () => placeAgainstWall(L, rng.pick(['floorBox', 'bag'] as const)));
      maybe(0.3, () => placeAgainstWall(L, 'plant'));
      maybe(0.25, () => placeAgainstWall(L, 'floorLamp'));
      wallDecor(L, rng.int(1, 3), ['picture', 'picture', 'picture', 'mirror', 'shelf']);
      break;
    }
    case 'living': {
      const sofa = placeAgainstWall(L, 'sofa', 40);
      maybe(0.8, () => placeFree(L, 'rug', 0.8, 10, 'mat'));
      if (sofa) maybe(0.85, () => placeFree(L, 'coffeeTable', 1.0, 20));
      placeAgainstWall(L, 'tvStand', 30);
      maybe(0.7, () => placeAgainstWall(L, 'bookshelf'));
      maybe(0.4, () => placeAgainstWall(L, 'bookshelf'));
      maybe(0.5, () => placeAgainstWall(L, 'floorLamp'));
      maybe(0.6, () => placeAgainstWall(L, 'plant'));
      maybe(0.4, () => placeAgainstWall(L, 'chair'));
      maybe(0.3, () => placeAgainstWall(L, 'dresser'));
      maybe(0.3, () => tableWithChairs(L, 2, 4));
      wallDecor(L, rng.int(2, 4), ['picture', 'picture', 'picture', 'shelf', 'mirror']);
      break;
    }
    case 'office': {
      deskCorner(L);
      maybe(0.6, () => deskCorner(L));
      placeAgainstWall(L, 'bookshelf');
      maybe(0.6, () => placeAgainstWall(L, 'bookshelf'));
      maybe(0.5, () => placeAgainstWall(L, 'wardrobe'));
      maybe(0.4, () => tableWithChairs(L, 1, 4));
      maybe(0.5, () => placeAgainstWall(L, 'plant'));
      maybe(0.6, () => placeAgainstWall(L, rng.pick(['floorBox', 'bag', 'floorBox'] as const)));
      maybe(0.7, () => placeOnWall(L, 'whiteboard', rng.uniform(1.0, 1.8), rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.1)));
      wallDecor(L, rng.int(1, 3), ['picture', 'picture', 'shelf']);
      break;
    }
    case 'kitchen': {
      placeAgainstWall(L, 'kitchenCounter', 40);
      maybe(0.8, () => placeAgainstWall(L, 'refrigerator', 30));
      maybe(0.5, () => placeAgainstWall(L, 'kitchenCounter', 20));
      maybe(0.75, () => tableWithChairs(L, 2, 4));
      maybe(0.3, () => placeAgainstWall(L, 'wardrobe'));
      maybe(0.3, () => placeAgainstWall(L, 'plant'));
      maybe(0.3, () => placeAgainstWall(L, 'floorBox'));
      maybe(0.3, () => placeFree(L, 'rug', 0.6, 10, 'mat'));
      wallDecor(L, rng.int(1, 2), ['picture', 'shelf', 'shelf']);
      break;
    }
    case 'bathroom': {
      placeAgainstWall(L, 'bathtub', 40);
      placeAgainstWall(L, 'toilet', 30);
      const vanity = placeAgainstWall(L, 'vanity', 30);
      if (vanity) mirrorAbove(L, vanity);
      maybe(0.6, () => placeOnWall(L, 'towel', rng.uniform(0.35, 0.6), rng.uniform(0.4, 0.6), rng.uniform(0.8, 1.1)));
      maybe(0.5, () => placeOnWall(L, 'towel', rng.uniform(0.35, 0.6), rng.uniform(0.4, 0.6), rng.uniform(0.8, 1.1)));
      maybe(0.7, () => placeFree(L, 'rug', 0.4, 10, 'mat'));
      maybe(0.3, () => placeAgainstWall(L, 'bag'));
      maybe(0.4, () => placeOnWall(L, 'shelf', rng.uniform(0.5, 0.8), 0, rng.uniform(1.2, 1.5)));
      wallDecor(L, rng.int(0, 1), ['picture']);
      break;
    }
    case 'dining': {
      tableWithChairs(L, 3, 6);
      maybe(0.7, () => placeAgainstWall(L, 'dresser'));
      maybe(0.5, () => placeAgainstWall(L, 'wardrobe'));
      maybe(0.4, () => placeAgainstWall(L, 'bookshelf'));
      maybe(0.6, () => placeAgainstWall(L, 'plant'));
      maybe(0.4, () => placeAgainstWall(L, 'floorLamp'));
      maybe(0.3, () => placeAgainstWall(L, 'tvStand'));
      wallDecor(L, rng.int(2, 3), ['picture', 'picture', 'mirror', 'shelf']);
      break;
    }
  }
}

function deskCorner(L: Layout): void {
  const desk = placeAgainstWall(L, 'desk', 30);
  if (!desk) return;
  // The desk's front is the side farthest from its wall: put the chair there.
  const b = desk.bounds;
  const cx = (b.min[0] + b.max[0]) / 2, cy = (b.min[1] + b.max[1]) / 2;
  let best: Wall | null = null, bestD = Infinity;
  for (const w of L.room.walls) {
    const d = (cx - w.a[0]) * w.normal[0] + (cy - w.a[1]) * w.normal[1];
    if (d > 0 && d < bestD) { bestD = d; best = w; }
  }
  if (!best) return;
  const depth = Math.abs(best.normal[0]) > 0.5 ? b.max[0] - b.min[0] : b.max[1] - b.min[1];
  const office = L.rng.chance(0.7);
  const gap = office ? 0.42 : 0.34;
  const x = cx + best.normal[0] * (depth / 2 + gap), y = cy + best.normal[1] * (depth / 2 + gap);
  const yaw = Math.atan2(best.normal[0], -best.normal[1]);
  if (!placeAt(L, office ? 'officeChair' : 'chair', x, y, yaw + L.rng.uniform(-0.3, 0.3), 0.0)) placeAt(L, office ? 'officeChair' : 'chair', x, y, yaw, 0.0);
  wallDecorNear(L, best, desk);
}

function wallDecorNear(L: Layout, wall: Wall, item: PlacedItem): void {
  const wi = L.room.walls.indexOf(wall);
  const b = item.bounds;
  const dx = (wall.b[0] - wall.a[0]) / wall.length, dy = (wall.b[1] - wall.a[1]) / wall.length;
  const t = ((b.min[0] + b.max[0]) / 2 - wall.a[0]) * dx + ((b.min[1] + b.max[1]) / 2 - wall.a[1]) * dy;
  if (L.rng.chance(0.5)) placeOnWall(L, 'shelf', L.rng.uniform(0.6, 1.0), 0, L.rng.uniform(1.35, 1.6), 4, wi, t + L.rng.uniform(-0.2, 0.2));
  else placeOnWall(L, 'picture', L.rng.uniform(0.4, 0.8), L.rng.uniform(0.3, 0.6), L.rng.uniform(1.3, 1.5), 4, wi, t);
}

function mirrorAbove(L: Layout, item: PlacedItem): void {
  const b = item.bounds;
  const cx = (b.min[0] + b.max[0]) / 2, cy = (b.min[1] + b.max[1]) / 2;
  for (let wi = 0; wi < L.room.walls.length; wi++) {
    const w = L.room.walls[wi];
    const d = (cx - w.a[0]) * w.normal[0] + (cy - w.a[1]) * w.normal[1];
    const depth = Math.abs(w.normal[0]) > 0.5 ? b.max[0] - b.min[0] : b.max[1] - b.min[1];
    if (Math.abs(d - depth / 2) > 0.1) continue;
    const dx = (w.b[0] - w.a[0]) / w.length, dy = (w.b[1] - w.a[1]) / w.length;
    const t = (cx - w.a[0]) * dx + (cy - w.a[1]) * dy;
    const h = L.rng.uniform(0.5, 0.8);
    placeOnWall(L, 'mirror', L.rng.uniform(0.45, 0.7), h, Math.min(L.room.height - h - 0.1, b.max[2] + 0.25), 2, wi, t);
    return;
  }
}

function wallDecor(L: Layout, count: number, pieces: readonly WallPieceName[]): void {
  for (let i = 0; i < count; i++) {
    const piece = L.rng.pick(pieces);
    if (piece === 'picture') {
      const w = L.rng.uniform(0.3, 1.1), h = L.rng.uniform(0.25, 0.8);
      placeOnWall(L, 'picture', w, h, L.rng.uniform(1.55, 1.75) - h / 2);
    } else if (piece === 'mirror') {
      const h = L.rng.uniform(0.6, 1.4);
      placeOnWall(L, 'mirror', L.rng.uniform(0.4, 0.8), h, Math.max(0.5, 1.6 - h / 2));
    } else if (piece === 'shelf') {
      placeOnWall(L, 'shelf', L.rng.uniform(0.6, 1.2), 0, L.rng.uniform(1.25, 1.6));
    }
  }
}

function bakeFloorOcclusion(room: Pick<Room, 'width' | 'depth'>, items: readonly PlacedItem[]): FloorOcclusion {
  const cell = 0.04;
  const nx = Math.ceil(room.width / cell) + 1, ny = Math.ceil(room.depth / cell) + 1;
  const data = new Float32Array(nx * ny).fill(1);
  const occluders = items.filter((it) => it.kind === 'floor' && it.bounds.min[2] < 0.05);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = i * cell, y = j * cell;
      let a = 1;
      for (const it of occluders) {
        const r = { x0: it.bounds.min[0], y0: it.bounds.min[1], x1: it.bounds.max[0], y1: it.bounds.max[1] };
        const d = distanceToRect(r, x, y);
        if (d > 0.4) continue;
        // Taller things cast wider, darker contact shadows; d = 0 is under the item.
        const h = Math.min(1, it.bounds.max[2]);
        a *= 1 - (0.25 + 0.35 * h) * Math.exp(-d / (0.06 + 0.1 * h));
      }
      data[j * nx + i] = a;
    }
  }
  return { cell, nx, ny, data };
}

/** Generates room `seed`. Same seed and options → identical room, bit for bit. */
export function generateRoom(seed: number, options: Partial<RoomOptions> = {}): Room {
  const o: RoomOptions = { ...DEFAULT_ROOM_OPTIONS, ...options };
  const rng = new Rng(mixSeed(seed, 0x524f4f4d));
  const kind = o.kind ?? rng.pick(ROOM_KINDS);
  const [wMin, wMax, dMin, dMax] = SIZES[kind];
  if (!(o.sizeScale > 0 && Number.isFinite(o.sizeScale))) throw new RangeError(`RoomOptions.sizeScale must be > 0 (got ${o.sizeScale})`);
  const width = rng.uniform(wMin, wMax) * o.sizeScale, depth = rng.uniform(dMin, dMax) * o.sizeScale;
  const height = rng.uniform(o.minCeiling, o.maxCeiling);
  let notch: Rect | null = null;
  if (kind !== 'bathroom' && rng.chance(o.lShapeProbability)) {
    const cw = width * rng.uniform(0.28, 0.45), cd = depth * rng.uniform(0.28, 0.45);
    notch = { x0: width - cw, y0: depth - cd, x1: width, y1: depth };
  }
  const pts = outline(width, depth, notch);
  const walls: Wall[] = pts.map((a, i) => {
    const b = pts[(i + 1) % pts.length];
    const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const dx = (b[0] - a[0]) / length, dy = (b[1] - a[1]) / length;
    return { a, b, normal: [-dy, dx] as const, length };
  });
  const s = new SceneBuilder();
  const L: Layout = { room: { width, depth, height, notch, walls }, s, rng, items: [], windows: [] };
  addShell(L, pts);
  addDoor(L);
  const doorWall = -1;
  const nWindows = kind === 'bathroom' ? rng.int(0, 1) : rng.int(1, 2);
  for (let i = 0; i < nWindows; i++) addWindow(L, doorWall);
  addCeilingLights(L);
  furnish(L, kind);
  // Sparse rooms teach little and make dull demos: top up with small standing things.
  for (let k = 0; k < 12 && L.items.filter((it) => it.kind === 'floor').length < 5; k++) {
    placeAgainstWall(L, rng.pick(['plant', 'floorBox', 'bag', 'chair', 'floorLamp', 'bookshelf', 'dresser', 'nightStand'] as const), 8);
  }

  // Sunlight through the first window, else a soft skylight from above.
  const win = L.windows[0];
  let sun: DirectionalLight;
  if (win) {
    const n = walls[win.wall].normal;
    const down = rng.uniform(0.5, 1.0);
    const l = Math.hypot(n[0], n[1], down);
    const k = rng.uniform(0.5, 0.9);
    sun = { direction: [n[0] / l, n[1] / l, -down / l], color: [k, k * 0.97, k * 0.9] };
  } else {
    sun = { direction: [0.3, 0.2, -0.93], color: [0.25, 0.25, 0.25] };
  }
  const amb = rng.uniform(0.22, 0.32);
  const { mesh, objects } = s.build();
  const floorOcclusion = bakeFloorOcclusion({ width, depth }, L.items);
  return {
    seed, kind, width, depth, height, notch, walls, items: L.items, objects, materials: s.materials, mesh,
    pointLights: s.pointLights, sun, ambient: [amb, amb * 0.98, amb * 0.95], floorOcclusion,
  };
}
