// Entry of the device bundle: the labelled-set writer alone (the CLI's gen also pulls in the mcap writers, whose
// wasm codecs do not bundle), run by a bare node binary on the borrowed machine.
//   gen.mjs OUT ROOMS VIEWS_PER_ROOM ROOM_SEED_OFFSET LABELS(0|1) [ROOM_SCALE, e.g. 1-1.8]   (320x240 views)
import { parseRoomScale, writeLabelledSet } from '../../../main/synth/dataset.ts';

const [out, rooms, views, offset, labels, scale] = process.argv.slice(2);
const t = performance.now();
const meta = await writeLabelledSet(out, {
  seed: 0, rooms: Number(rooms), viewsPerRoom: Number(views), roomSeedOffset: Number(offset), width: 320, height: 240,
  labels: labels === '1', roomScale: parseRoomScale(scale ?? '1'),
});
process.stderr.write(`gen ${out}: ${meta.ids.length} views in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
