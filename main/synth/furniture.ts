/**
 * Composite furniture from boxes and cylinders, in a local frame: origin at the centre of the
 * footprint on the floor (or on the wall for wall pieces), x across, +y to the front (away from the
 * wall it stands against), z up. Each builder labels its parts with NYUDv2 classes.
 */
import { type Placement, transformPoint } from './mesh.js';
import { MaterialKind, type MaterialInput } from './materials.js';
import type { Rng } from './random.js';
import type { SceneBuilder } from './scene.js';
import { C } from './labels.js';

export interface Size3 { readonly w: number; readonly d: number; readonly h: number }
type Rgb = [number, number, number];

// ---- palettes -----------------------------------------------------------------------------------

const WOODS: Rgb[] = [[196, 152, 104], [120, 82, 54], [214, 184, 138], [150, 86, 58], [172, 124, 82], [92, 64, 46]];
const PAINTED: Rgb[] = [[236, 236, 230], [40, 40, 42], [222, 218, 205], [170, 178, 180], [120, 130, 110]];
const FABRICS: Rgb[] = [[120, 124, 130], [196, 182, 160], [46, 62, 104], [140, 46, 44], [80, 112, 80], [200, 160, 60], [90, 90, 92], [170, 120, 140], [60, 110, 130]];
const WALLS: Rgb[] = [[232, 228, 218], [214, 222, 226], [236, 224, 200], [205, 214, 196], [240, 240, 236], [226, 206, 196], [200, 206, 218]];
const BRIGHT: Rgb[] = [[200, 40, 40], [40, 90, 170], [40, 130, 70], [220, 170, 40], [120, 60, 140], [230, 120, 40], [30, 30, 30], [230, 230, 220], [90, 50, 30], [40, 140, 150]];

export function vary(rng: Rng, c: Rgb, amount = 0.08): Rgb {
  const k = 1 + rng.uniform(-amount, amount);
  return [0, 1, 2].map((i) => Math.max(0, Math.min(255, c[i] * k * (1 + rng.uniform(-amount / 2, amount / 2))))) as Rgb;
}
function darker(c: Rgb, k: number): Rgb { return [c[0] * k, c[1] * k, c[2] * k]; }

export function wallColor(rng: Rng): Rgb { return vary(rng, rng.pick(WALLS), 0.04); }

export function woodMaterial(s: SceneBuilder, rng: Rng, label: number, painted = 0.25): number {
  if (rng.chance(painted)) {
    const c = vary(rng, rng.pick(PAINTED), 0.04);
    return s.material({ kind: MaterialKind.Plastic, color: c, label, specular: 0.08, seed: rng.int(0, 255) });
  }
  const c = vary(rng, rng.pick(WOODS));
  return s.material({ kind: MaterialKind.Wood, color: c, color2: darker(c, 0.68), label, scale: rng.uniform(0.02, 0.05), specular: 0.05, seed: rng.int(0, 255) });
}

export function fabricMaterial(s: SceneBuilder, rng: Rng, label: number, leather = 0): number {
  const c = vary(rng, rng.pick(FABRICS));
  if (rng.chance(leather)) return s.material({ kind: MaterialKind.Leather, color: c, label, specular: 0.12, seed: rng.int(0, 255) });
  return s.material({ kind: MaterialKind.Fabric, color: c, color2: darker(c, 0.8), label, seed: rng.int(0, 255) });
}

function metal(s: SceneBuilder, rng: Rng, label: number, dark = false): number {
  const c: Rgb = dark ? vary(rng, [50, 50, 54]) : vary(rng, [175, 178, 182], 0.05);
  return s.material({ kind: MaterialKind.Metal, color: c, label, specular: 0.35, seed: rng.int(0, 255) });
}

function plain(s: SceneBuilder, kind: MaterialInput['kind'], color: Rgb, label: number, extra: Partial<MaterialInput> = {}): number {
  return s.material({ kind, color, label, ...extra });
}

// ---- small objects placed on surfaces (local frame of the supporting furniture) ------------------

/** Places a row of books standing on a surface between x0 and x1 at height z, depth centred on y. */
export function addBooks(s: SceneBuilder, rng: Rng, p: Placement, x0: number, x1: number, y: number, z: number, maxH: number, maxD: number): void {
  s.begin('books', C.books);
  let x = x0 + rng.uniform(0, 0.04);
  while (x < x1 - 0.02) {
    const t = rng.uniform(0.018, 0.05);
    if (x + t > x1) break;
    const h = Math.min(maxH, rng.uniform(0.16, 0.3));
    const d = Math.min(maxD, rng.uniform(0.13, 0.22));
    const c = vary(rng, rng.pick(BRIGHT), 0.15);
    const band: Rgb = rng.chance(0.5) ? [220, 200, 120] : [235, 235, 225];
    const m = s.material({ kind: MaterialKind.Book, color: c, color2: band, label: C.books, height: h, seed: rng.int(0, 255) });
    s.mesh.addBox(p, x, y - d / 2 + 0.5 * (maxD - d) * 0, z, x + t, y + d / 2, z + h, m);
    x += t + (rng.chance(0.1) ? rng.uniform(0.02, 0.08) : 0.001);
  }
}

/** A lying stack of books (on tables and desks). */
function addBookStack(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): number {
  s.begin('books', C.books);
  const n = rng.int(1, 4);
  let zz = z;
  const yaw0 = rng.uniform(-0.4, 0.4);
  for (let i = 0; i < n; i++) {
    const w = rng.uniform(0.15, 0.24), d = rng.uniform(0.2, 0.3), t = rng.uniform(0.02, 0.045);
    const c = vary(rng, rng.pick(BRIGHT), 0.15);
    const m = s.material({ kind: MaterialKind.Book, color: c, color2: [230, 225, 210], label: C.books, height: d, seed: rng.int(0, 255) });
    const q = subPlacement(p, x, y, yaw0 + rng.uniform(-0.15, 0.15));
    s.mesh.addBox(q, -w / 2, -d / 2, zz, w / 2, d / 2, zz + t, m);
    zz += t;
  }
  return zz;
}

export function subPlacement(p: Placement, x: number, y: number, yaw = 0, z = 0): Placement {
  const w = transformPoint(p, x, y, z);
  return { x: w[0], y: w[1], z: w[2], yaw: p.yaw + yaw };
}

function addCup(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): void {
  s.begin('cup', C.otherProp);
  const c = vary(rng, rng.pick(BRIGHT));
  const m = plain(s, MaterialKind.Porcelain, c, C.otherProp, { specular: 0.3 });
  const r = rng.uniform(0.035, 0.05);
  s.mesh.addCylinder(p, x, y, z, z + rng.uniform(0.08, 0.12), r, r * 1.1, 10, m);
}

function addBottle(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): void {
  s.begin('bottle', C.otherProp);
  const m = plain(s, MaterialKind.Plastic, vary(rng, rng.pick(BRIGHT)), C.otherProp, { specular: 0.4 });
  const h = rng.uniform(0.18, 0.3), r = rng.uniform(0.03, 0.045);
  s.mesh.addCylinder(p, x, y, z, z + h * 0.7, r, r, 10, m);
  s.mesh.addCylinder(p, x, y, z + h * 0.7, z + h, r, r * 0.35, 10, m);
}

function addVase(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): void {
  s.begin('vase', C.otherProp);
  const m = plain(s, MaterialKind.Porcelain, vary(rng, rng.pick(BRIGHT)), C.otherProp, { specular: 0.4 });
  const r = rng.uniform(0.05, 0.08), h = rng.uniform(0.15, 0.3);
  s.mesh.addCylinder(p, x, y, z, z + h * 0.6, r * 0.7, r, 12, m, { top: false, bottom: false });
  s.mesh.addCylinder(p, x, y, z + h * 0.6, z + h, r, r * 0.5, 12, m);
}

function addSmallBox(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number, maxW = 0.35): void {
  s.begin('box', C.box);
  const cardboard: Rgb = rng.chance(0.6) ? vary(rng, [176, 138, 92]) : vary(rng, rng.pick(BRIGHT));
  const m = plain(s, MaterialKind.Paper, cardboard, C.box, { color2: darker(cardboard, 0.75), seed: rng.int(0, 255) });
  const w = rng.uniform(0.12, maxW), d = rng.uniform(0.1, maxW), h = rng.uniform(0.08, 0.3);
  s.mesh.addBox(subPlacement(p, x, y, rng.uniform(-0.3, 0.3)), -w / 2, -d / 2, z, w / 2, d / 2, z + h, m);
}

function addPaper(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): void {
  s.begin('paper', C.paper);
  const m = plain(s, MaterialKind.Paper, [240, 240, 236], C.paper, { color2: [70, 70, 80], seed: rng.int(0, 255) });
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    s.mesh.addBox(subPlacement(p, x + rng.uniform(-0.05, 0.05), y + rng.uniform(-0.05, 0.05), rng.uniform(-0.5, 0.5)), -0.105, -0.148, z + i * 0.002, 0.105, 0.148, z + i * 0.002 + 0.002, m);
  }
}

export function addTableLamp(s: SceneBuilder, rng: Rng, p: Placement, x: number, y: number, z: number): void {
  s.begin('lamp', C.lamp);
  const base = metal(s, rng, C.lamp, rng.chance(0.5));
  const shadeColor = vary(rng, rng.pick<Rgb>([[240, 230, 200], [230, 220, 210], [210, 200, 170], [245, 245, 240]]));
  const shade = plain(s, MaterialKind.Emissive, shadeColor, C.lamp, { emissive: 0.9 });
  const h = rng.uniform(0.35, 0.55);
  s.mesh.addCylinder(p, x, y, z, z + 0.03, 0.08, 0.08, 12, base);
  s.mesh.addCylinder(p, x, y, z + 0.03, z + h * 0.6, 0.012, 0.012, 6, base);
  s.mesh.addCylinder(p, x, y, z + h * 0.55, z + h, 0.15, 0.09, 14, shade, { top: true, bottom: true });
  const w = transformPoint(p, x, y, z + h * 0.7);
  s.pointLights.push({ position: w, color: [0.5, 0.42, 0.3] });
}

/** Decorates a surface (local rect x0..x1, y0..y1 at height z) with a few random small things. */
export function clutter(s: SceneBuilder, rng: Rng, p: Placement, x0: number, x1: number, y0: number, y1: number, z: number, count: number, kinds: readonly string[]): void {
  const taken: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < 6; attempt++) {
      const x = rng.uniform(x0 + 0.12, x1 - 0.12), y = rng.uniform(y0 + 0.12, y1 - 0.12);
      if (x1 - x0 < 0.25 || y1 - y0 < 0.25) return;
      if (taken.some(([a, b]) => Math.hypot(a - x, b - y) < 0.3)) continue;
      taken.push([x, y]);
      switch (rng.pick(kinds)) {
        case 'books': addBookStack(s, rng, p, x, y, z); break;
        case 'cup': addCup(s, rng, p, x, y, z); break;
        case 'bottle': addBottle(s, rng, p, x, y, z); break;
        case 'vase': addVase(s, rng, p, x, y, z); break;
        case 'box': addSmallBox(s, rng, p, x, y, z, 0.25); break;
        case 'paper': addPaper(s, rng, p, x, y, z); break;
        case 'lamp': addTableLamp(s, rng, p, x, y, z); break;
      }
      break;
    }
  }
}

// ---- furniture ----------------------------------------------------------------------------------

function legs(s: SceneBuilder, p: Placement, w: number, d: number, h: number, t: number, inset: number, m: number, round = false): void {
  for (const sx of [-1, 1]) for (const sy of [-1, 1]) {
    const x = sx * (w / 2 - inset - t / 2), y = sy * (d / 2 - inset - t / 2);
    if (round) s.mesh.addCylinder(p, x, y, 0, h, t / 2, t / 2, 8, m, { top: false, bottom: false });
    else s.mesh.addBox(p, x - t / 2, y - t / 2, 0, x + t / 2, y + t / 2, h, m);
  }
}

/** Drawer fronts on the +y face of a carcass: rows × cols panels with knobs. */
function drawerFronts(s: SceneBuilder, rng: Rng, p: Placement, w: number, d: number, z0: number, z1: number, rows: number, cols: number, m: number, knob: number): void {
  const gap = 0.012;
  const rh = (z1 - z0) / rows, cw = w / cols;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const x0 = -w / 2 + c * cw + gap, x1 = x0 + cw - 2 * gap;
    const za = z0 + r * rh + gap, zb = za + rh - 2 * gap;
    s.mesh.addBox(p, x0, d / 2, za, x1, d / 2 + 0.012, zb, m);
    const kx = (x0 + x1) / 2, kz = (za + zb) / 2 + (rng.chance(0.5) ? 0 : rh * 0.25);
    s.mesh.addBox(p, kx - 0.05, d / 2 + 0.012, kz - 0.008, kx + 0.05, d / 2 + 0.03, kz + 0.008, knob);
  }
}

export const FURNITURE = {
  bed: {
    size: (rng: Rng): Size3 => { const w = rng.pick([0.95, 1.4, 1.6, 1.8]) + rng.uniform(-0.05, 0.05); return { w: w + 0.08, d: rng.uniform(2.05, 2.2), h: rng.uniform(0.8, 1.15) }; },
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('bed', C.bed);
      const frame = woodMaterial(s, rng, C.bed, 0.3);
      const sheet = s.material({ kind: MaterialKind.Fabric, color: vary(rng, [236, 236, 230], 0.03), label: C.bed, seed: rng.int(0, 255) });
      const duvet = fabricMaterial(s, rng, C.bed);
      const { w, d, h } = z;
      s.mesh.addBox(p, -w / 2, -d / 2, 0.08, w / 2, d / 2, 0.32, frame);
      legs(s, p, w, d, 0.08, 0.06, 0.02, frame);
      s.mesh.addBox(p, -w / 2 + 0.04, -d / 2 + 0.06, 0.32, w / 2 - 0.04, d / 2 - 0.03, 0.52, sheet);
      s.mesh.addBox(p, -w / 2, -d / 2, 0, w / 2, -d / 2 + 0.06, h, frame);
      const duvetStart = -d / 2 + rng.uniform(0.5, 0.8);
      s.mesh.addBox(p, -w / 2 + 0.01, duvetStart, 0.3, w / 2 - 0.01, d / 2 - 0.01, 0.58, duvet);
      s.begin('pillow', C.pillow);
      const pm = s.material({ kind: MaterialKind.Fabric, color: rng.chance(0.5) ? vary(rng, [240, 240, 236], 0.03) : vary(rng, rng.pick(FABRICS)), label: C.pillow, seed: rng.int(0, 255) });
      const n = w > 1.2 ? 2 : 1;
      for (let i = 0; i < n; i++) {
        const cx = n === 1 ? 0 : (i === 0 ? -w / 4 : w / 4);
        const pw = Math.min(0.6, w / n - 0.1);
        s.mesh.addBox(subPlacement(p, cx, -d / 2 + 0.3, rng.uniform(-0.08, 0.08)), -pw / 2, -0.2, 0.52, pw / 2, 0.2, 0.52 + rng.uniform(0.1, 0.15), pm);
      }
      if (rng.chance(0.35)) {
        s.begin('clothes', C.clothes);
        const cm = fabricMaterial(s, rng, C.clothes);
        s.mesh.addBox(subPlacement(p, rng.uniform(-w / 4, w / 4), d / 2 - 0.5, rng.uniform(-1, 1)), -0.22, -0.16, 0.58, 0.22, 0.16, 0.62, cm);
      }
    },
  },
  nightStand: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.4, 0.55), d: rng.uniform(0.35, 0.45), h: rng.uniform(0.45, 0.6) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('night stand', C.nightStand);
      const m = woodMaterial(s, rng, C.nightStand);
      const knob = metal(s, rng, C.nightStand);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      drawerFronts(s, rng, p, z.w, z.d, 0.05, z.h - 0.03, rng.int(1, 2), 1, m, knob);
      if (rng.chance(0.75)) addTableLamp(s, rng, p, 0, -0.03, z.h);
      else clutter(s, rng, p, -z.w / 2, z.w / 2, -z.d / 2, z.d / 2, z.h, 1, ['books', 'cup', 'bottle']);
    },
  },
  dresser: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.8, 1.5), d: rng.uniform(0.45, 0.55), h: rng.uniform(0.75, 1.1) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('dresser', C.dresser);
      const m = woodMaterial(s, rng, C.dresser);
      const knob = metal(s, rng, C.dresser, rng.chance(0.5));
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      drawerFronts(s, rng, p, z.w, z.d, 0.08, z.h - 0.03, rng.int(3, 4), z.w > 1 ? 2 : 1, m, knob);
      clutter(s, rng, p, -z.w / 2, z.w / 2, -z.d / 2, z.d / 2, z.h, rng.int(1, 3), ['box', 'books', 'vase', 'lamp', 'bottle']);
    },
  },
  wardrobe: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.8, 1.4), d: rng.uniform(0.5, 0.62), h: rng.uniform(1.8, 2.15) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('cabinet', C.cabinet);
      const m = woodMaterial(s, rng, C.cabinet, 0.45);
      const handle = metal(s, rng, C.cabinet);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      const doors = z.w > 1 ? 2 : 1;
      const dw = z.w / doors;
      for (let i = 0; i < doors; i++) {
        const x0 = -z.w / 2 + i * dw + 0.01;
        s.mesh.addBox(p, x0, z.d / 2, 0.06, x0 + dw - 0.02, z.d / 2 + 0.015, z.h - 0.03, m);
        const hx = doors === 2 ? (i === 0 ? x0 + dw - 0.08 : x0 + 0.06) : x0 + dw - 0.08;
        s.mesh.addBox(p, hx, z.d / 2 + 0.015, z.h * 0.45, hx + 0.02, z.d / 2 + 0.04, z.h * 0.45 + 0.25, handle);
      }
      if (rng.chance(0.5)) {
        const bp = subPlacement(p, 0, 0, 0, z.h);
        addSmallBox(s, rng, bp, rng.uniform(-z.w / 4, z.w / 4), 0, 0, 0.4);
      }
    },
  },
  chair: {
    size: (rng: Rng): Size3 => { const w = rng.uniform(0.42, 0.5); return { w, d: w + rng.uniform(-0.02, 0.05), h: rng.uniform(0.82, 0.95) }; },
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('chair', C.chair);
      const wood = woodMaterial(s, rng, C.chair, 0.35);
      const seatM = rng.chance(0.5) ? fabricMaterial(s, rng, C.chair, 0.3) : wood;
      const legM = rng.chance(0.4) ? metal(s, rng, C.chair, rng.chance(0.5)) : wood;
      const seat = rng.uniform(0.43, 0.48);
      legs(s, p, z.w, z.d, seat - 0.04, 0.035, 0.01, legM, legM !== wood);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, seat - 0.04, z.w / 2, z.d / 2, seat, seatM);
      // Back: two posts and a panel at the back (-y).
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, seat, -z.w / 2 + 0.035, -z.d / 2 + 0.035, z.h, legM === wood ? wood : legM);
      s.mesh.addBox(p, z.w / 2 - 0.035, -z.d / 2, seat, z.w / 2, -z.d / 2 + 0.035, z.h, legM === wood ? wood : legM);
      s.mesh.addBox(p, -z.w / 2 + 0.035, -z.d / 2 + 0.005, z.h - rng.uniform(0.15, 0.3), z.w / 2 - 0.035, -z.d / 2 + 0.03, z.h - 0.02, seatM);
    },
  },
  officeChair: {
    size: (_rng: Rng): Size3 => ({ w: 0.62, d: 0.62, h: 1.05 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('chair', C.chair);
      const m = fabricMaterial(s, rng, C.chair, 0.3);
      const base = metal(s, rng, C.chair, true);
      for (let k = 0; k < 5; k++) {
        const q = subPlacement(p, 0, 0, (2 * Math.PI * k) / 5);
        s.mesh.addBox(q, -0.02, 0, 0.04, 0.02, 0.3, 0.08, base);
        s.mesh.addCylinder(q, 0, 0.28, 0, 0.04, 0.025, 0.025, 6, base);
      }
      s.mesh.addCylinder(p, 0, 0, 0.08, 0.42, 0.025, 0.025, 8, base, { top: false, bottom: false });
      s.mesh.addBox(p, -0.25, -0.24, 0.42, 0.25, 0.24, 0.5, m);
      s.mesh.addBox(p, -0.23, -0.28, 0.55, 0.23, -0.22, z.h, m);
      s.mesh.addBox(p, -0.02, -0.26, 0.45, 0.02, -0.23, 0.56, base);
    },
  },
  table: {
    size: (rng: Rng): Size3 => { const w = rng.uniform(1.0, 1.8); return { w, d: Math.min(w, rng.uniform(0.75, 1.0)), h: rng.uniform(0.72, 0.77) }; },
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('table', C.table);
      const top = woodMaterial(s, rng, C.table, 0.3);
      const legM = rng.chance(0.3) ? metal(s, rng, C.table, true) : top;
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, z.h - 0.035, z.w / 2, z.d / 2, z.h, top, false);
      legs(s, p, z.w, z.d, z.h - 0.035, 0.055, 0.04, legM, rng.chance(0.3));
      clutter(s, rng, p, -z.w / 2, z.w / 2, -z.d / 2, z.d / 2, z.h, rng.int(1, 4), ['books', 'cup', 'bottle', 'vase', 'paper', 'box']);
    },
  },
  coffeeTable: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.8, 1.2), d: rng.uniform(0.5, 0.7), h: rng.uniform(0.38, 0.46) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('table', C.table);
      const top = woodMaterial(s, rng, C.table, 0.3);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, z.h - 0.04, z.w / 2, z.d / 2, z.h, top, false);
      legs(s, p, z.w, z.d, z.h - 0.04, 0.05, 0.03, top);
      if (rng.chance(0.5)) s.mesh.addBox(p, -z.w / 2 + 0.05, -z.d / 2 + 0.05, 0.1, z.w / 2 - 0.05, z.d / 2 - 0.05, 0.12, top, false);
      clutter(s, rng, p, -z.w / 2, z.w / 2, -z.d / 2, z.d / 2, z.h, rng.int(1, 3), ['books', 'cup', 'vase', 'paper']);
    },
  },
  desk: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.1, 1.6), d: rng.uniform(0.6, 0.75), h: rng.uniform(0.72, 0.76) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('desk', C.desk);
      const m = woodMaterial(s, rng, C.desk, 0.4);
      const knob = metal(s, rng, C.desk);
      const { w, d, h } = z;
      s.mesh.addBox(p, -w / 2, -d / 2, h - 0.03, w / 2, d / 2, h, m, false);
      s.mesh.addBox(p, -w / 2, -d / 2, 0, -w / 2 + 0.03, d / 2 - 0.02, h - 0.03, m);
      s.mesh.addBox(p, w / 2 - 0.42, -d / 2, 0, w / 2, d / 2 - 0.02, h - 0.03, m);
      drawerFronts(s, rng, subPlacement(p, w / 2 - 0.21, -0.01), 0.42, d - 0.02, 0.04, h - 0.05, 3, 1, m, knob);
      s.mesh.addBox(p, -w / 2 + 0.03, -d / 2, h - 0.45, w / 2 - 0.42, -d / 2 + 0.02, h - 0.03, m);
      // Monitor on the back half, keyboard in front of it.
      if (rng.chance(0.8)) {
        s.begin('monitor', C.television);
        const body = plain(s, MaterialKind.Plastic, vary(rng, [30, 30, 32]), C.television, { specular: 0.2 });
        const screen = plain(s, MaterialKind.Screen, vary(rng, rng.pick(BRIGHT)), C.television, { width: 0.55, height: 0.33, emissive: 0.25, seed: rng.int(0, 255), specular: 0.3 });
        const mx = rng.uniform(-w / 2 + 0.35, w / 2 - 0.45);
        const mp = subPlacement(p, mx, -d / 2 + 0.18, rng.uniform(-0.2, 0.2));
        s.mesh.addBox(mp, -0.1, -0.08, h, 0.1, 0.08, h + 0.015, body);
        s.mesh.addBox(mp, -0.02, -0.03, h + 0.015, 0.02, 0.0, h + 0.12, body);
        s.mesh.addBox(mp, -0.28, 0.0, h + 0.09, 0.28, 0.03, h + 0.44, body, true, screen);
        s.begin('keyboard', C.otherProp);
        const kb = plain(s, MaterialKind.Plastic, vary(rng, rng.pick<Rgb>([[40, 40, 42], [220, 220, 215]])), C.otherProp, { specular: 0.1 });
        s.mesh.addBox(subPlacement(p, mx, -d / 2 + 0.42), -0.22, -0.07, h, 0.22, 0.07, h + 0.025, kb);
      }
      clutter(s, rng, p, -w / 2, w / 2, 0, d / 2, h, rng.int(1, 2), ['paper', 'books', 'cup', 'lamp']);
    },
  },
  bookshelf: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.7, 1.1), d: rng.uniform(0.28, 0.36), h: rng.uniform(1.5, 2.1) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('bookshelf', C.bookshelf);
      const m = woodMaterial(s, rng, C.bookshelf, 0.35);
      const { w, d, h } = z;
      const t = 0.022;
      s.mesh.addBox(p, -w / 2, -d / 2, 0, -w / 2 + t, d / 2, h, m);
      s.mesh.addBox(p, w / 2 - t, -d / 2, 0, w / 2, d / 2, h, m);
      s.mesh.addBox(p, -w / 2 + t, -d / 2, 0, w / 2 - t, -d / 2 + 0.01, h, m);
      s.mesh.addBox(p, -w / 2 + t, -d / 2, h - t, w / 2 - t, d / 2, h, m);
      s.mesh.addBox(p, -w / 2 + t, -d / 2, 0, w / 2 - t, d / 2, 0.06, m);
      const shelves = Math.max(3, Math.round(h / 0.36));
      const step = (h - 0.06 - t) / shelves;
      for (let i = 1; i < shelves; i++) s.mesh.addBox(p, -w / 2 + t, -d / 2 + 0.01, 0.06 + i * step - t, w / 2 - t, d / 2, 0.06 + i * step, m, false);
      for (let i = 0; i < shelves; i++) {
        const zb = 0.06 + i * step;
        if (rng.chance(0.85)) {
          const xe = rng.chance(0.3) ? rng.uniform(-w / 4, w / 2 - t) : w / 2 - t - 0.01;
          addBooks(s, rng, p, -w / 2 + t, xe, d / 2 - 0.12, zb, step - 0.04, d - 0.04);
          if (xe < w / 2 - 0.3 && rng.chance(0.6)) addSmallBox(s, rng, p, xe + 0.15, 0, zb, 0.22);
        } else {
          clutter(s, rng, p, -w / 2 + t, w / 2 - t, -d / 2 + 0.02, d / 2, zb, 2, ['box', 'vase', 'bottle']);
        }
      }
    },
  },
  sofa: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.6, 2.3), d: rng.uniform(0.85, 1.0), h: rng.uniform(0.78, 0.92) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('sofa', C.sofa);
      const m = fabricMaterial(s, rng, C.sofa, 0.3);
      const legM = woodMaterial(s, rng, C.sofa, 0.5);
      const { w, d, h } = z;
      const arm = rng.uniform(0.12, 0.22), back = rng.uniform(0.18, 0.25);
      legs(s, p, w, d, 0.1, 0.05, 0.04, legM);
      s.mesh.addBox(p, -w / 2, -d / 2, 0.1, w / 2, d / 2, 0.3, m);
      s.mesh.addBox(p, -w / 2, -d / 2, 0.3, w / 2, -d / 2 + back, h, m);
      s.mesh.addBox(p, -w / 2, -d / 2 + back, 0.3, -w / 2 + arm, d / 2, 0.62, m);
      s.mesh.addBox(p, w / 2 - arm, -d / 2 + back, 0.3, w / 2, d / 2, 0.62, m);
      const seats = w > 1.9 ? 3 : 2;
      const sw = (w - 2 * arm) / seats;
      for (let i = 0; i < seats; i++) {
        const x0 = -w / 2 + arm + i * sw;
        s.mesh.addBox(p, x0 + 0.005, -d / 2 + back, 0.3, x0 + sw - 0.005, d / 2 + 0.01, 0.44, m);
      }
      s.begin('pillow', C.pillow);
      const np = rng.int(1, 3);
      for (let i = 0; i < np; i++) {
        const pm = fabricMaterial(s, rng, C.pillow);
        const px = -w / 2 + arm + 0.25 + rng.uniform(0, w - 2 * arm - 0.5);
        const q = subPlacement(p, px, -d / 2 + back + 0.08, rng.uniform(-0.3, 0.3));
        s.mesh.addBox(q, -0.21, -0.06, 0.44, 0.21, 0.06, 0.44 + 0.4, pm);
      }
    },
  },
  tvStand: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.1, 1.7), d: rng.uniform(0.38, 0.48), h: rng.uniform(0.42, 0.55) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('tv stand', C.otherFurniture);
      const m = woodMaterial(s, rng, C.otherFurniture, 0.4);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      drawerFronts(s, rng, p, z.w, z.d, 0.05, z.h - 0.03, 1, 3, m, m);
      s.begin('television', C.television);
      const body = plain(s, MaterialKind.Plastic, vary(rng, [24, 24, 26]), C.television, { specular: 0.25 });
      const tw = Math.min(z.w - 0.1, rng.uniform(0.9, 1.4)), th = tw * 0.58;
      const screen = plain(s, MaterialKind.Screen, vary(rng, rng.pick(BRIGHT)), C.television, { width: tw, height: th, emissive: 0.3, seed: rng.int(0, 255), specular: 0.4 });
      s.mesh.addBox(p, -0.15, -0.1, z.h, 0.15, 0.1, z.h + 0.02, body);
      s.mesh.addBox(p, -0.03, -0.05, z.h + 0.02, 0.03, -0.02, z.h + 0.12, body);
      s.mesh.addBox(p, -tw / 2, -0.02, z.h + 0.08, tw / 2, 0.02, z.h + 0.08 + th, body, true, screen);
      clutter(s, rng, p, z.w / 4, z.w / 2, -z.d / 2, z.d / 2, z.h, 1, ['vase', 'box', 'books']);
    },
  },
  floorLamp: {
    size: (_rng: Rng): Size3 => ({ w: 0.4, d: 0.4, h: 1.6 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('lamp', C.lamp);
      const base = metal(s, rng, C.lamp, rng.chance(0.6));
      const shade = plain(s, MaterialKind.Emissive, vary(rng, [238, 228, 205]), C.lamp, { emissive: 0.9 });
      s.mesh.addCylinder(p, 0, 0, 0, 0.03, 0.16, 0.16, 14, base);
      s.mesh.addCylinder(p, 0, 0, 0.03, z.h - 0.2, 0.014, 0.014, 6, base, { top: false, bottom: false });
      s.mesh.addCylinder(p, 0, 0, z.h - 0.3, z.h, 0.2, 0.15, 16, shade, { top: true, bottom: true });
      s.pointLights.push({ position: transformPoint(p, 0, 0, z.h - 0.15), color: [0.6, 0.5, 0.36] });
    },
  },
  plant: {
    size: (rng: Rng): Size3 => { const r = rng.uniform(0.35, 0.6); return { w: r, d: r, h: rng.uniform(0.6, 1.4) }; },
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('plant', C.otherProp);
      const pot = plain(s, MaterialKind.Porcelain, vary(rng, rng.pick<Rgb>([[180, 90, 60], [230, 230, 225], [60, 60, 64]])), C.otherProp, { specular: 0.2 });
      const leaves = s.material({ kind: MaterialKind.Leaves, color: vary(rng, [50, 110, 45]), color2: vary(rng, [90, 150, 60]), label: C.otherProp, seed: rng.int(0, 255) });
      const r = z.w / 2;
      s.mesh.addCylinder(p, 0, 0, 0, 0.3, r * 0.55, r * 0.7, 12, pot);
      s.mesh.addCylinder(p, 0, 0, 0.3, z.h * 0.6, r * 0.3, r, 10, leaves, { top: false, bottom: true });
      s.mesh.addCylinder(p, 0, 0, z.h * 0.6, z.h, r, r * 0.2, 10, leaves);
    },
  },
  floorBox: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.3, 0.6), d: rng.uniform(0.3, 0.5), h: rng.uniform(0.25, 0.6) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('box', C.box);
      const c: Rgb = vary(rng, [176, 138, 92]);
      const m = plain(s, MaterialKind.Paper, c, C.box, { color2: darker(c, 0.7), seed: rng.int(0, 255) });
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      if (rng.chance(0.5)) addSmallBox(s, rng, p, 0, 0, z.h, Math.min(z.w, z.d) - 0.05);
    },
  },
  bag: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.3, 0.45), d: rng.uniform(0.15, 0.25), h: rng.uniform(0.3, 0.45) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('bag', C.bag);
      const m = fabricMaterial(s, rng, C.bag, 0.4);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
      s.mesh.addBox(p, -z.w / 2 + 0.06, -0.01, z.h, -z.w / 2 + 0.08, 0.01, z.h + 0.1, m);
      s.mesh.addBox(p, z.w / 2 - 0.08, -0.01, z.h, z.w / 2 - 0.06, 0.01, z.h + 0.1, m);
      s.mesh.addBox(p, -z.w / 2 + 0.06, -0.01, z.h + 0.08, z.w / 2 - 0.06, 0.01, z.h + 0.1, m);
    },
  },
  kitchenCounter: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.6, 3.0), d: 0.62, h: 0.9 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      const { w, d, h } = z;
      s.begin('cabinet', C.cabinet);
      const m = woodMaterial(s, rng, C.cabinet, 0.5);
      const handle = metal(s, rng, C.cabinet);
      s.mesh.addBox(p, -w / 2, -d / 2, 0.1, w / 2, d / 2 - 0.03, h - 0.04, m);
      s.mesh.addBox(p, -w / 2, -d / 2, 0, w / 2, d / 2 - 0.08, 0.1, plain(s, MaterialKind.Plastic, [40, 40, 40], C.cabinet));
      const doors = Math.max(2, Math.round(w / 0.5));
      drawerFronts(s, rng, subPlacement(p, 0, -0.015), w, d - 0.03, 0.1, h - 0.04, 1, doors, m, handle);
      s.begin('counter', C.counter);
      const stone = s.material({ kind: MaterialKind.Stone, color: vary(rng, rng.pick<Rgb>([[200, 196, 188], [60, 60, 62], [150, 140, 128], [230, 230, 226]])), color2: vary(rng, [110, 105, 100]), label: C.counter, specular: 0.3, seed: rng.int(0, 255) });
      s.mesh.addBox(p, -w / 2, -d / 2, h - 0.04, w / 2, d / 2 + 0.02, h, stone, false);
      s.begin('sink', C.sink);
      const steel = metal(s, rng, C.sink);
      const sx = rng.uniform(-w / 2 + 0.45, w / 2 - 0.45);
      s.mesh.addBox(p, sx - 0.3, -0.2, h, sx + 0.3, 0.2, h + 0.012, steel);
      s.mesh.addBox(p, sx - 0.26, -0.16, h + 0.012, sx + 0.26, 0.16, h + 0.014, plain(s, MaterialKind.Metal, [90, 92, 96], C.sink, { specular: 0.4 }));
      s.mesh.addCylinder(p, sx, -0.25, h, h + 0.3, 0.015, 0.015, 8, steel);
      s.mesh.addBox(p, sx - 0.015, -0.25, h + 0.27, sx + 0.015, -0.08, h + 0.3, steel);
      clutter(s, rng, p, -w / 2, sx - 0.35, -d / 2, d / 2, h, rng.int(1, 3), ['bottle', 'cup', 'box', 'vase']);
      clutter(s, rng, p, sx + 0.35, w / 2, -d / 2, d / 2, h, rng.int(0, 2), ['bottle', 'cup', 'box']);
      // Upper cabinets on the wall behind.
      s.begin('cabinet', C.cabinet);
      const uw = w * rng.uniform(0.6, 1);
      s.mesh.addBox(p, -uw / 2, -d / 2, 1.45, uw / 2, -d / 2 + 0.35, 2.1, m, false);
      drawerFronts(s, rng, subPlacement(p, 0, -d / 2 + 0.175 - 0.175), uw, 0.35, 1.45, 2.1, 1, Math.max(2, Math.round(uw / 0.5)), m, handle);
    },
  },
  refrigerator: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.6, 0.8), d: rng.uniform(0.62, 0.72), h: rng.uniform(1.7, 1.95) }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('refrigerator', C.refrigerator);
      const body = rng.chance(0.5) ? metal(s, rng, C.refrigerator) : plain(s, MaterialKind.Plastic, vary(rng, [236, 236, 234], 0.02), C.refrigerator, { specular: 0.3 });
      const handle = metal(s, rng, C.refrigerator, true);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, body);
      const split = z.h * 0.62;
      s.mesh.addBox(p, -z.w / 2 + 0.01, z.d / 2, 0.02, z.w / 2 - 0.01, z.d / 2 + 0.02, split - 0.01, body);
      s.mesh.addBox(p, -z.w / 2 + 0.01, z.d / 2, split + 0.01, z.w / 2 - 0.01, z.d / 2 + 0.02, z.h - 0.01, body);
      s.mesh.addBox(p, z.w / 2 - 0.07, z.d / 2 + 0.02, split - 0.45, z.w / 2 - 0.05, z.d / 2 + 0.05, split - 0.1, handle);
      s.mesh.addBox(p, z.w / 2 - 0.07, z.d / 2 + 0.02, split + 0.1, z.w / 2 - 0.05, z.d / 2 + 0.05, split + 0.4, handle);
    },
  },
  toilet: {
    size: (_rng: Rng): Size3 => ({ w: 0.42, d: 0.7, h: 0.8 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('toilet', C.toilet);
      const m = plain(s, MaterialKind.Porcelain, vary(rng, [240, 240, 238], 0.02), C.toilet, { specular: 0.5 });
      s.mesh.addBox(p, -0.2, -z.d / 2, 0.42, 0.2, -z.d / 2 + 0.2, z.h, m);
      s.mesh.addBox(p, -0.12, -z.d / 2 + 0.1, 0, 0.12, 0.05, 0.38, m);
      s.mesh.addCylinder(p, 0, 0.08, 0.2, 0.4, 0.14, 0.2, 14, m, { top: false, bottom: false });
      s.mesh.addCylinder(p, 0, 0.08, 0.4, 0.43, 0.2, 0.2, 14, m);
    },
  },
  vanity: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(0.6, 1.0), d: 0.48, h: 0.86 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('cabinet', C.cabinet);
      const m = woodMaterial(s, rng, C.cabinet, 0.6);
      const handle = metal(s, rng, C.cabinet);
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h - 0.05, m);
      drawerFronts(s, rng, p, z.w, z.d, 0.08, z.h - 0.08, 1, 2, m, handle);
      s.begin('sink', C.sink);
      const pm = plain(s, MaterialKind.Porcelain, [242, 242, 240], C.sink, { specular: 0.5 });
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, z.h - 0.05, z.w / 2, z.d / 2 + 0.01, z.h, pm, false);
      s.mesh.addBox(p, -0.22, -0.12, z.h, 0.22, 0.16, z.h + 0.004, plain(s, MaterialKind.Porcelain, [200, 204, 208], C.sink, { specular: 0.5 }));
      const steel = metal(s, rng, C.sink);
      s.mesh.addCylinder(p, 0, -0.18, z.h, z.h + 0.2, 0.015, 0.015, 8, steel);
      s.mesh.addBox(p, -0.015, -0.18, z.h + 0.18, 0.015, -0.06, z.h + 0.2, steel);
    },
  },
  bathtub: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.5, 1.75), d: rng.uniform(0.7, 0.8), h: 0.58 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('bathtub', C.bathtub);
      const m = plain(s, MaterialKind.Porcelain, vary(rng, [240, 240, 238], 0.02), C.bathtub, { specular: 0.5 });
      const inner = plain(s, MaterialKind.Porcelain, vary(rng, [222, 226, 228], 0.02), C.bathtub, { specular: 0.5 });
      const { w, d, h } = z;
      const t = 0.07;
      s.mesh.addBox(p, -w / 2, -d / 2, 0, w / 2, d / 2, 0.1, m);
      s.mesh.addBox(p, -w / 2, -d / 2, 0.1, -w / 2 + t, d / 2, h, m);
      s.mesh.addBox(p, w / 2 - t, -d / 2, 0.1, w / 2, d / 2, h, m);
      s.mesh.addBox(p, -w / 2 + t, -d / 2, 0.1, w / 2 - t, -d / 2 + t, h, m);
      s.mesh.addBox(p, -w / 2 + t, d / 2 - t, 0.1, w / 2 - t, d / 2, h, m);
      s.mesh.addBox(p, -w / 2 + t, -d / 2 + t, 0.1, w / 2 - t, d / 2 - t, 0.12, inner);
      if (rng.chance(0.6)) {
        s.begin('shower curtain', C.showerCurtain);
        const cm = fabricMaterial(s, rng, C.showerCurtain);
        const cw = w * rng.uniform(0.3, 0.6);
        for (let i = 0; i < 6; i++) {
          const x0 = w / 2 - cw + (i * cw) / 6;
          const off = i % 2 ? 0.03 : 0;
          s.mesh.addBox(p, x0, d / 2 - 0.03 + off, h + 0.1, x0 + cw / 6, d / 2 - 0.015 + off, 2.0, cm);
        }
      }
    },
  },
  rug: {
    size: (rng: Rng): Size3 => ({ w: rng.uniform(1.2, 2.4), d: rng.uniform(0.8, 1.7), h: 0.012 }),
    build(s: SceneBuilder, rng: Rng, p: Placement, z: Size3): void {
      s.begin('floor mat', C.floorMat);
      const c = vary(rng, rng.pick(FABRICS), 0.1);
      const m = s.material({ kind: MaterialKind.Carpet, color: c, color2: vary(rng, rng.pick(FABRICS)), label: C.floorMat, seed: rng.int(0, 255) });
      s.mesh.addBox(p, -z.w / 2, -z.d / 2, 0, z.w / 2, z.d / 2, z.h, m);
    },
  },
} as const;

export type FurnitureName = keyof typeof FURNITURE;

// ---- wall pieces: local frame origin on the wall at floor level, +y into the room -----------------

export const WALL_PIECES = {
  picture(s: SceneBuilder, rng: Rng, p: Placement, w: number, h: number, z0: number): void {
    s.begin('picture', C.picture);
    const frame = rng.chance(0.5) ? woodMaterial(s, rng, C.picture, 0.5) : plain(s, MaterialKind.Plastic, vary(rng, [30, 30, 30]), C.picture);
    const img = s.material({ kind: MaterialKind.Picture, color: vary(rng, rng.pick(BRIGHT), 0.2), color2: vary(rng, rng.pick(BRIGHT), 0.2), label: C.picture, width: Math.max(w, h), height: Math.min(w, h), seed: rng.int(0, 255), specular: 0.1 });
    s.mesh.addBox(p, -w / 2, 0, z0, w / 2, rng.uniform(0.02, 0.04), z0 + h, frame, true, img);
  },
  mirror(s: SceneBuilder, rng: Rng, p: Placement, w: number, h: number, z0: number): void {
    s.begin('mirror', C.mirror);
    const frame = metal(s, rng, C.mirror);
    const glass = plain(s, MaterialKind.Mirror, vary(rng, [170, 180, 190], 0.05), C.mirror, { color2: [120, 120, 118], specular: 0.8, emissive: 0.15, seed: rng.int(0, 255) });
    s.mesh.addBox(p, -w / 2, 0, z0, w / 2, 0.02, z0 + h, frame, true, glass);
  },
  whiteboard(s: SceneBuilder, rng: Rng, p: Placement, w: number, h: number, z0: number): void {
    s.begin('whiteboard', C.whiteboard);
    const frame = metal(s, rng, C.whiteboard);
    const board = plain(s, MaterialKind.Whiteboard, [244, 246, 246], C.whiteboard, { color2: rng.pick<Rgb>([[40, 60, 160], [30, 30, 30], [170, 40, 40]]), specular: 0.4, seed: rng.int(0, 255) });
    s.mesh.addBox(p, -w / 2, 0, z0, w / 2, 0.025, z0 + h, frame, true, board);
    s.mesh.addBox(p, -w / 2, 0.025, z0 - 0.02, w / 2, 0.08, z0, frame);
  },
  shelf(s: SceneBuilder, rng: Rng, p: Placement, w: number, _h: number, z0: number): void {
    s.begin('shelves', C.shelves);
    const m = woodMaterial(s, rng, C.shelves, 0.4);
    const n = rng.int(1, 2);
    const d = rng.uniform(0.2, 0.28);
    for (let i = 0; i < n; i++) {
      const z = z0 + i * 0.38;
      s.mesh.addBox(p, -w / 2, 0, z - 0.025, w / 2, d, z, m, false);
      s.mesh.addBox(p, -w / 2 + 0.08, 0, z - 0.15, -w / 2 + 0.1, 0.15, z - 0.025, m);
      s.mesh.addBox(p, w / 2 - 0.1, 0, z - 0.15, w / 2 - 0.08, 0.15, z - 0.025, m);
      if (rng.chance(0.6)) addBooks(s, rng, p, -w / 2 + 0.02, rng.uniform(-w / 4, w / 2 - 0.02), d / 2, z, 0.3, d - 0.02);
      else clutter(s, rng, p, -w / 2, w / 2, 0, d, z, 2, ['box', 'vase', 'bottle', 'books']);
    }
  },
  towel(s: SceneBuilder, rng: Rng, p: Placement, w: number, h: number, z0: number): void {
    s.begin('towel bar', C.otherProp);
    const steel = metal(s, rng, C.otherProp);
    s.mesh.addBox(p, -w / 2 - 0.05, 0, z0 + h - 0.02, w / 2 + 0.05, 0.06, z0 + h, steel);
    s.begin('towel', C.towel);
    const m = fabricMaterial(s, rng, C.towel);
    s.mesh.addBox(p, -w / 2, 0.045, z0, w / 2, 0.075, z0 + h, m);
  },
} as const;

export type WallPieceName = keyof typeof WALL_PIECES;
