/** lz4js ships no types: the one function the MCAP tests use (LZ4 frame format, as MCAP's lz4 chunks are). */
declare module 'lz4js' {
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array | number[];
}
