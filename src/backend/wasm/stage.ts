// Runs one kernel on JS-owned views: the storages the views read are copied into a staging
// arena in linear memory (each distinct storage once, only the element range its views reach),
// the kernel runs there, and the storages it writes are copied back. Aliasing survives because
// two views of one storage share one staged copy.
import type { Storage } from '../../core/dtype.js';
import type { View } from '../backend.js';
import type { WasmKernels } from './module.js';

const DTYPE_CODE = { float32: 0, float64: 1, int32: 2, bool: 3 } as const;
/** Most views one kernel takes (native/wasm/entry.cc). */
export const MAX_VIEWS = 6;

/** How a kernel uses a view: reads it, writes all of it, or reads and writes it. */
export type ViewRole = 'in' | 'out' | 'inout';

interface Staged {
  data: Storage;
  lo: number; // first element reached
  hi: number; // one past the last
  ptr: number; // byte address in linear memory
  written: boolean;
  read: boolean;
}

/** A kernel runner over one module instance. */
export class Stager {
  private arena = 0;
  private arenaBytes = 0;
  private readonly staged: Staged[] = [];
  private readonly viewSlot = new Int32Array(MAX_VIEWS);

  constructor(private readonly k: WasmKernels) {}

  private ensure(bytes: number): void {
    if (bytes <= this.arenaBytes) return;
    if (this.arena) this.k.tg_free(this.arena);
    const want = Math.max(bytes, Math.ceil(this.arenaBytes * 1.5), 1 << 16);
    this.arena = this.k.tg_alloc(want);
    if (this.arena === 0) {
      this.arenaBytes = 0;
      throw new RangeError(`tsgrad wasm: out of memory staging ${bytes} bytes (wasm32 memory is at most 4 GiB)`);
    }
    this.arenaBytes = want;
  }

  /**
   * Runs kernel `code`; true when it ran, false when it leaves this case to ref. `roles[i]` says
   * how it uses view i: an `out` view is written whole, so a dense one need not be copied in.
   */
  run(code: number, views: readonly View[], params: readonly number[], roles: readonly ViewRole[]): boolean {
    if (views.length > MAX_VIEWS) throw new RangeError(`tsgrad wasm: kernel ${code} got ${views.length} views (at most ${MAX_VIEWS})`);
    const staged = this.staged;
    staged.length = 0;
    let metaLen = 1 + params.length;
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!;
      const nd = v.shape.length;
      metaLen += 2 + 2 * nd;
      let lo = v.offset, hi = v.offset, empty = false;
      for (let d = 0; d < nd; d++) {
        const n = v.shape[d]!;
        if (n === 0) empty = true;
        const span = (n - 1) * v.strides[d]!;
        if (span < 0) lo += span;
        else hi += span;
      }
      if (empty) hi = lo = Math.min(Math.max(v.offset, 0), v.data.length);
      else {
        if (lo < 0 || hi >= v.data.length) {
          throw new RangeError(`tsgrad wasm: view ${i} (kernel ${code}, shape [${v.shape.join(', ')}]) reaches outside its storage of ${v.data.length} elements`);
        }
        hi += 1;
      }
      const role = roles[i] ?? 'in';
      const isOut = role !== 'in';
      let s = -1;
      for (let j = 0; j < staged.length; j++) if (staged[j]!.data === v.data) s = j;
      // Only a dense, fully written output may skip the copy-in: a strided one leaves gaps that
      // the copy-out would otherwise fill with stale arena bytes.
      const dense = !empty && hi - lo === numel(v.shape);
      const needsRead = role !== 'out' || !dense;
      if (s < 0) {
        staged.push({ data: v.data, lo, hi, ptr: 0, written: isOut, read: needsRead });
        s = staged.length - 1;
      } else {
        const st = staged[s]!;
        if (!empty) {
          if (st.hi === st.lo) { st.lo = lo; st.hi = hi; }
          else { st.lo = Math.min(st.lo, lo); st.hi = Math.max(st.hi, hi); }
        }
        st.written ||= isOut;
        st.read = true; // shared with another view: keep every element it holds
      }
      this.viewSlot[i] = s;
    }
    // Layout: meta (f64), then ptrs/lens/dtypes (u32 each), then each staged range, 16-byte aligned.
    let bytes = align(metaLen * 8) + align(12 * MAX_VIEWS);
    for (const st of staged) bytes += align((st.hi - st.lo) * st.data.BYTES_PER_ELEMENT);
    this.ensure(bytes);
    const metaPtr = this.arena, tablePtr = metaPtr + align(metaLen * 8);
    let p = tablePtr + align(12 * MAX_VIEWS);
    for (const st of staged) {
      st.ptr = p;
      p += align((st.hi - st.lo) * st.data.BYTES_PER_ELEMENT);
    }
    let buf = this.k.memory.buffer;
    for (const st of staged) if (st.read && st.hi > st.lo) heapOf(st.data, buf, st.ptr, st.hi - st.lo).set(st.data.subarray(st.lo, st.hi));
    const meta = new Float64Array(buf, metaPtr, metaLen);
    const table = new Uint32Array(buf, tablePtr, 3 * MAX_VIEWS);
    let m = 0;
    meta[m++] = views.length;
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!, st = staged[this.viewSlot[i]!]!;
      const nd = v.shape.length;
      meta[m++] = nd;
      for (let d = 0; d < nd; d++) meta[m++] = v.shape[d]!;
      meta[m++] = v.offset - st.lo;
      for (let d = 0; d < nd; d++) meta[m++] = v.strides[d]!;
      table[i] = st.ptr;
      table[MAX_VIEWS + i] = st.hi - st.lo;
      table[2 * MAX_VIEWS + i] = DTYPE_CODE[v.dtype];
    }
    for (const x of params) meta[m++] = x;
    const r = this.k.tg_run(code, metaPtr, metaLen, tablePtr, tablePtr + 4 * MAX_VIEWS, tablePtr + 8 * MAX_VIEWS);
    if (r < 0) throw new RangeError(`tsgrad wasm: ${this.error()}`);
    if (r === 0) return false;
    buf = this.k.memory.buffer; // the kernel may have grown memory (scratch buffers)
    for (const st of staged) if (st.written && st.hi > st.lo) st.data.set(heapOf(st.data, buf, st.ptr, st.hi - st.lo), st.lo);
    return true;
  }

  private error(): string {
    const buf = new Uint8Array(this.k.memory.buffer);
    const at = this.k.tg_error();
    let end = at;
    while (end < buf.length && buf[end] !== 0) end++;
    return new TextDecoder().decode(buf.subarray(at, end));
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** A typed array of `data`'s kind over `n` elements of linear memory at byte `ptr`. */
function heapOf(data: Storage, buf: ArrayBuffer, ptr: number, n: number): Storage {
  if (data instanceof Float32Array) return new Float32Array(buf, ptr, n);
  if (data instanceof Float64Array) return new Float64Array(buf, ptr, n);
  if (data instanceof Int32Array) return new Int32Array(buf, ptr, n);
  return new Uint8Array(buf, ptr, n);
}
