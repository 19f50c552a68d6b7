import { describe, expect, it } from 'vitest';
import { ColourRegistration, parseColourCamera } from '../../main/sources/colourRegistration.js';
import { openSequence } from '../../main/sources/open.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from '../fusion/helpers/box-scene.js';
import { COLOUR, colourImage, DEPTH_K, meanAbsDiff } from './helpers/colourScene.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

describe('colour registration to depth', () => {
  const pose = lookAt([0.2, -0.1, -1.2], [0, 0.3, 1.5]);
  const seen = renderBoxScene(DEFAULT_BOX_SCENE, pose, DEPTH_K);
  const stored = colourImage(pose, COLOUR);

  it('puts each depth pixel\'s own colour on it: what a colour camera at the depth camera would have seen', () => {
    const registered = new ColourRegistration(DEPTH_K, COLOUR).register(stored, seen.depth);
    const unregistered = meanAbsDiff(stored, seen.rgb, 160, 120);
    const after = meanAbsDiff(registered, seen.rgb, 160, 120);
    const withoutOffset = meanAbsDiff(new ColourRegistration(DEPTH_K, { ...COLOUR, tx: 0, ty: 0 }).register(stored, seen.depth), seen.rgb, 160, 120);
    // Left over: nearest sampling of a texture with fine detail, and depth edges (the cameras see past them differently).
    expect(after).toBeLessThan(4.5);
    expect(withoutOffset).toBeGreaterThan(2 * after);
    expect(unregistered).toBeGreaterThan(6 * after);
  });

  it('takes an offset along the optical axis the general way, agreeing with the short form as it goes to 0', () => {
    const short = new ColourRegistration(DEPTH_K, COLOUR).register(stored, seen.depth, new Uint8Array(stored.length));
    const general = new ColourRegistration(DEPTH_K, { ...COLOUR, tz: 1e-7 }).register(stored, seen.depth, new Uint8Array(stored.length));
    let differ = 0;
    for (let i = 0; i < short.length; i++) if (short[i] !== general[i]) differ++;
    expect(differ).toBeLessThan(short.length / 1000);
    // 5 cm along the axis changes what each pixel sees.
    const deep = new ColourRegistration(DEPTH_K, { ...COLOUR, tz: 0.05 }).register(stored, seen.depth, new Uint8Array(stored.length));
    expect(meanAbsDiff(deep, short, 160, 120)).toBeGreaterThan(0.5);
  });

  it('uses the point at infinity where depth is missing, and never reads outside the colour image', () => {
    const depth = seen.depth.slice();
    for (let p = 0; p < depth.length; p += 3) depth[p] = 0;
    const reg = new ColourRegistration(DEPTH_K, COLOUR);
    const out = reg.register(stored, depth);
    // Pixel (u, v) without depth: the colour at the colour camera's projection of its ray.
    const u = 60, v = 45, p = v * 160 + u;
    expect(depth[p]).toBe(0);
    const uc = COLOUR.fx * (u - DEPTH_K.cx) / DEPTH_K.fx + COLOUR.cx, vc = COLOUR.fy * (v - DEPTH_K.cy) / DEPTH_K.fy + COLOUR.cy;
    const nearest = 3 * (Math.round(vc) * 160 + Math.round(uc));
    expect(Math.abs(out[3 * p] - stored[nearest])).toBeLessThan(25);
    // A colour camera far off to the side: every pixel is still a colour of the image (edge pixels repeated).
    const off = new ColourRegistration(DEPTH_K, { ...COLOUR, cx: 400 }).register(stored, seen.depth);
    expect(off.length).toBe(stored.length);
    expect(off.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('parses --colour-camera and says what is wrong', () => {
    expect(parseColourCamera('none')).toBe('none');
    expect(parseColourCamera('525,525,320,235,-0.03,0,0')).toMatchObject({ fx: 525, fy: 525, cx: 320, cy: 235, tx: -0.03, ty: 0, tz: 0 });
    expect(() => parseColourCamera('525,525,320,235')).toThrow(/--colour-camera: expected seven numbers/);
    expect(() => parseColourCamera('-525,525,320,235,0,0,0')).toThrow(/focal lengths must be > 0/);
    expect(() => parseColourCamera('525,525,320,235,30,0,0')).toThrow(/more than 0.5 m: is it in metres/);
  });
});

describe('7-Scenes colour', () => {
  const dir = resolve(process.cwd(), '../shared/data/real/7scenes-redkitchen-0-499');

  it('is registered to depth by default, and --colour-camera none keeps it as stored', async () => {
    expect(existsSync(dir), `${dir}: the real 7-Scenes data is missing (../shared/data/real next to the repository)`).toBe(true);
    const registered = await openSequence(dir);
    const raw = await openSequence(dir, { colourCamera: 'none' });
    expect(registered.info.colourCamera?.fx).toBeGreaterThan(500);
    expect(registered.info.warnings?.some((w) => /colour registered to depth through the colour camera/.test(w))).toBe(true);
    expect(raw.info.colourCamera).toBeUndefined();
    expect(raw.info.warnings?.some((w) => /NOT registered to depth/.test(w))).toBe(true);
    const a = await registered.read(100), b = await raw.read(100);
    expect(a.depth).toEqual(b.depth);
    expect(a.groundTruthPose).toEqual(b.groundTruthPose);
    // Registration shrinks the colour image about its centre (a longer depth focal): they differ clearly.
    expect(meanAbsDiff(a.rgb, b.rgb, a.width, a.height)).toBeGreaterThan(5);
  });
});
