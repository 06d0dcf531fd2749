// What a process's program has seen since its exec: the number and result of every system
// call it made. A fork's child is a fresh run of the program fed these results until it
// reaches the fork (a generator cannot be copied), so every call is recorded here.
//
// Calls are kept in chunks of CHUNK. The last one is raw: recording a call is two stores. A
// full chunk is packed (encoded as the journal encodes values, then deflated) and never
// changes again, so a fork shares the parent's packed chunks. A process that lives long and
// never forks costs a few bytes per call, not an object per result: the shell, which reads
// its input a byte at a time, kept every byte it ever read as an array of its own.

import type { Val } from "./uapi/abi.ts";
import { ValDecoder, ValEncoder } from "./codec.ts";
import { deflateRaw, inflateRaw } from "./deflate.ts";

const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;

export class History {
  private readonly packed: Uint8Array[] = [];
  // The last chunk, raw.
  private nums: Int32Array | null = null;
  private rets: Val[] | null = null;
  // The packed chunk last read back (a fork's re-run reads them in order).
  private unpackedIndex = -1;
  private unpacked: { nums: Int32Array; rets: Val[] } | null = null;
  length = 0;

  push(n: number, r: Val): void {
    const i = this.length & (CHUNK - 1);
    if (this.nums === null || i === this.nums.length) this.grow(i);
    this.nums![i] = n;
    this.rets![i] = r;
    this.length++;
    if (i === CHUNK - 1) this.packed.push(pack(this.nums!, this.rets!));
  }

  // Room for call i of the raw chunk: it starts small and doubles up to CHUNK (a process that
  // makes a few calls and exits costs a few bytes); a chunk packed leaves it full size.
  private grow(i: number): void {
    const nums = new Int32Array(i === 0 ? 16 : Math.min(2 * i, CHUNK));
    const rets: Val[] = new Array(nums.length);
    for (let j = 0; j < i; j++) {
      nums[j] = this.nums![j];
      rets[j] = this.rets![j];
    }
    this.nums = nums;
    this.rets = rets;
  }

  num(i: number): number {
    return this.chunkOf(i).nums[i & (CHUNK - 1)];
  }

  ret(i: number): Val {
    return this.chunkOf(i).rets[i & (CHUNK - 1)];
  }

  private chunkOf(i: number): { nums: Int32Array; rets: Val[] } {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`history: no call ${i}`);
    const c = i >>> CHUNK_BITS;
    if (c === this.packed.length) return { nums: this.nums!, rets: this.rets! };
    if (c !== this.unpackedIndex) {
      this.unpacked = unpack(this.packed[c]);
      this.unpackedIndex = c;
    }
    return this.unpacked!;
  }

  /** A history holding this one's first `len` calls: the packed chunks are shared, the rest
   * is copied. */
  prefix(len: number): History {
    const h = new History();
    const full = len >>> CHUNK_BITS;
    h.packed.push(...this.packed.slice(0, full));
    h.length = full << CHUNK_BITS;
    for (let i = h.length; i < len; i++) h.push(this.num(i), this.ret(i));
    return h;
  }
}

function pack(nums: Int32Array, rets: Val[]): Uint8Array {
  const enc = new ValEncoder(CHUNK * 4);
  for (let i = 0; i < CHUNK; i++) {
    enc.int(nums[i]);
    enc.val(rets[i]);
  }
  return deflateRaw(enc.buf.subarray(0, enc.pos));
}

function unpack(bytes: Uint8Array): { nums: Int32Array; rets: Val[] } {
  const dec = new ValDecoder(inflateRaw(bytes));
  const nums = new Int32Array(CHUNK);
  const rets: Val[] = new Array(CHUNK);
  for (let i = 0; i < CHUNK; i++) {
    nums[i] = dec.int();
    rets[i] = dec.val();
  }
  return { nums, rets };
}
