import { describe, expect, it } from 'vitest';
import { fitColourCamera, inconsistency, makePair } from '../../main/calibration/colourCalibration.js';
import { ColourRegistration, type ColourCamera } from '../../main/sources/colourRegistration.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from '../fusion/helpers/box-scene.js';
import { COLOUR, colourImage, DEPTH_K, meanAbsDiff } from '../sources/helpers/colourScene.js';

describe('colour camera self-calibration', () => {
  // A camera walking along the room, turning a little: pairs of views a few centimetres and degrees apart.
  const poses = Array.from({ length: 7 }, (_, k) => lookAt([-0.5 + 0.12 * k, -0.3 + 0.1 * k, -1.3 + 0.05 * k], [0.4 - 0.25 * k, 0.5 - 0.1 * k, 1.8]));
  const frames = poses.map((T) => ({ T, depth: renderBoxScene(DEFAULT_BOX_SCENE, T, DEPTH_K).depth, rgb: colourImage(T, COLOUR) }));
  const pairs = frames.slice(0, -1).map((a, k) => makePair(DEPTH_K, a.rgb, a.depth, a.T, frames[k + 1].rgb, frames[k + 1].T, { stride: 1 }));

  it('scores the true colour camera as more consistent than colour taken as registered', () => {
    const truth = inconsistency(pairs, { f: COLOUR.fx, cx: COLOUR.cx, cy: COLOUR.cy, tx: COLOUR.tx, ty: COLOUR.ty });
    const asRegistered = inconsistency(pairs, { f: DEPTH_K.fx, cx: DEPTH_K.cx, cy: DEPTH_K.cy, tx: 0, ty: 0 });
    expect(truth.samples).toBeGreaterThan(10000);
    expect(truth.cost).toBeLessThan(asRegistered.cost / 3);
  });

  it('finds the colour camera from the motion alone: focal, sideways offset, and the colour each depth pixel gets', () => {
    const fit = fitColourCamera(pairs, DEPTH_K, 'test');
    const truth = inconsistency(pairs, { f: COLOUR.fx, cx: COLOUR.cx, cy: COLOUR.cy, tx: COLOUR.tx, ty: COLOUR.ty }).cost;
    // The search reaches the cost's minimum (at least as low as the true camera's) from colour taken as registered.
    expect(fit.cost).toBeLessThanOrEqual(truth);
    expect(fit.cost).toBeLessThan(fit.costRegistered / 5);
    expect(Math.abs(fit.camera.fx - COLOUR.fx)).toBeLessThan(0.01 * COLOUR.fx);
    expect(Math.abs(fit.camera.tx - COLOUR.tx)).toBeLessThan(0.005);
    // The vertical offset is weakly observed (the scene's depths spread little along y); what matters is the
    // colour each depth pixel gets, in a view the fit did not see.
    const view = lookAt([0.1, 0, -1.1], [-0.2, 0.2, 1.6]);
    const seen = renderBoxScene(DEFAULT_BOX_SCENE, view, DEPTH_K);
    const stored = colourImage(view, COLOUR);
    const error = (c: ColourCamera): number => meanAbsDiff(new ColourRegistration(DEPTH_K, c).register(stored, seen.depth), seen.rgb, 160, 120);
    const unregistered = meanAbsDiff(stored, seen.rgb, 160, 120);
    expect(error(fit.camera)).toBeLessThan(2.5 * error(COLOUR));
    expect(error(fit.camera)).toBeLessThan(unregistered / 5);
    expect(error(fit.camera)).toBeLessThan(error({ ...COLOUR, tx: 0, ty: 0 }) / 2);
    expect(fit.camera.tz).toBe(0);
  });
});
