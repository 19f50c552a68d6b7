import { describe, expect, it } from 'vitest';
import { createSyntheticSequence, parseSynthSpec } from '../../main/synth/sequence.js';
import { InputError } from '../../main/errors.js';

describe('createSyntheticSequence', () => {
  it('yields frames with noisy depth, exact depth, labels and poses; same seed → same bytes', async () => {
    const seq = createSyntheticSequence({ seed: 4, frames: 5, width: 96, height: 72 });
    expect(seq.info.format).toBe('synthetic');
    expect(seq.info.frames).toBe(5);
    expect(seq.info.intrinsics.fx).toBeCloseTo(525 * 96 / 640, 9);
    const frames = [];
    for await (const f of seq.frames()) frames.push(f);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    const f = frames[2];
    expect(f.rgb.length).toBe(96 * 72 * 3);
    expect(f.labels40?.length).toBe(96 * 72);
    expect(f.groundTruthPose).toEqual(Float64Array.from(seq.poses[2]));
    expect(f.depth).not.toEqual(f.depthGroundTruth);
    expect(f.timestamp).toBeCloseTo(2 / 30, 12);
    const again = await createSyntheticSequence({ seed: 4, frames: 5, width: 96, height: 72 }).read(2);
    expect(again.rgb).toEqual(f.rgb);
    expect(again.depth).toEqual(f.depth);
    const other = await createSyntheticSequence({ seed: 5, frames: 5, width: 96, height: 72 }).read(2);
    expect(other.rgb).not.toEqual(f.rgb);
    const exact = await createSyntheticSequence({ seed: 4, frames: 5, width: 96, height: 72, noise: 'none' }).read(2);
    expect(exact.depth).toEqual(f.depthGroundTruth);
    await expect(seq.read(5)).rejects.toThrow(RangeError);
  });

  it('parses synth: specs and names the bad key', () => {
    expect(parseSynthSpec('synth:seed=3,frames=20,size=320x240,noise=none')).toMatchObject({ seed: 3, frames: 20, width: 320, height: 240, noise: 'none' });
    expect(parseSynthSpec('synth').seed).toBe(0);
    expect(() => parseSynthSpec('synth:colour=red')).toThrow(InputError);
    expect(() => parseSynthSpec('synth:size=big')).toThrow(/size must look like/);
  });
});
