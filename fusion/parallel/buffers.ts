/**
 * Where the pipeline's typed arrays live. Stages allocate every buffer a kernel reads or writes through an
 * allocator: on the heap for one thread, in SharedArrayBuffers when a KernelPool runs kernels on other threads
 * (which then see the same memory, so no per-frame copies).
 */
export interface BufferAllocator {
  /** True when the buffers are SharedArrayBuffer-backed (visible to worker threads). */
  readonly shared: boolean;
  f32(n: number): Float32Array;
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
  u32(n: number): Uint32Array;
  u8(n: number): Uint8Array;
}

export const heapAllocator: BufferAllocator = Object.freeze({
  shared: false,
  f32: (n: number) => new Float32Array(n),
  f64: (n: number) => new Float64Array(n),
  i32: (n: number) => new Int32Array(n),
  u32: (n: number) => new Uint32Array(n),
  u8: (n: number) => new Uint8Array(n),
});

export const sharedAllocator: BufferAllocator = Object.freeze({
  shared: true,
  f32: (n: number) => new Float32Array(new SharedArrayBuffer(4 * n)),
  f64: (n: number) => new Float64Array(new SharedArrayBuffer(8 * n)),
  i32: (n: number) => new Int32Array(new SharedArrayBuffer(4 * n)),
  u32: (n: number) => new Uint32Array(new SharedArrayBuffer(4 * n)),
  u8: (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
});

/** True when the array's memory is a SharedArrayBuffer (a worker would otherwise get a copy). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * A reusable shared copy of caller-owned input (depth, colour, class probabilities) for kernels on other threads:
 * input already in shared memory, or any input when sharing is off, is used as it is.
 */
export class InputStaging<T extends Float32Array | Uint8Array> {
  private buffer: T | null = null;

  constructor(private readonly alloc: BufferAllocator, private readonly make: (alloc: BufferAllocator, n: number) => T) {}

  take(input: T): T {
    if (!this.alloc.shared || isShared(input)) return input;
    if (!this.buffer || this.buffer.length !== input.length) this.buffer = this.make(this.alloc, input.length);
    this.buffer.set(input);
    return this.buffer;
  }
}
