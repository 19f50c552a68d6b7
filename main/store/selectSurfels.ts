import type { StoredMap } from './mapCodec.js';

/** The surfels with confidence ≥ minConfidence, as a new map (the input itself when all pass). */
export function selectSurfels(map: StoredMap, minConfidence: number): StoredMap {
  const keep: number[] = [];
  for (let i = 0; i < map.count; i++) if (map.confidence[i] >= minConfidence) keep.push(i);
  if (keep.length === map.count) return map;
  const n = keep.length;
  const pick3 = <T extends Float32Array | Uint8Array>(a: T, out: T): T => {
    keep.forEach((s, k) => { out[3 * k] = a[3 * s]; out[3 * k + 1] = a[3 * s + 1]; out[3 * k + 2] = a[3 * s + 2]; });
    return out;
  };
  const pick = <T extends Float32Array | Uint8Array | Uint32Array>(a: T, out: T): T => {
    keep.forEach((s, k) => { out[k] = a[s]; });
    return out;
  };
  return {
    count: n,
    positions: pick3(map.positions, new Float32Array(3 * n)),
    normals: pick3(map.normals, new Float32Array(3 * n)),
    colors: pick3(map.colors, new Uint8Array(3 * n)),
    radii: pick(map.radii, new Float32Array(n)),
    confidence: pick(map.confidence, new Float32Array(n)),
    labels: pick(map.labels, new Uint8Array(n)),
    labelProb: pick(map.labelProb, new Float32Array(n)),
    ...(map.ids ? { ids: pick(map.ids, new Uint32Array(n)) } : {}),
    ...(map.stable ? { stable: pick(map.stable, new Uint8Array(n)) } : {}),
  };
}
