// What a process's program has seen since its exec: the number and result of every system
// call it made. A fork's child is a fresh run of the program fed these results until it
// reaches the fork (a generator cannot be copied), so every call is recorded here.
//
// Calls are kept in fixed-size chunks: recording one is two stores (no array growth on the
// hot path), and a fork shares the parent's full chunks instead of copying them.

import type { Val } from "./uapi/abi.ts";

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

export class History {
  private readonly nums: Int32Array[] = [];
  private readonly rets: Val[][] = [];
  length = 0;

  push(n: number, r: Val): void {
    const i = this.length & (CHUNK - 1);
    if (i === 0) {
      this.nums.push(new Int32Array(CHUNK));
      this.rets.push(new Array(CHUNK));
    }
    const c = this.length >>> CHUNK_BITS;
    this.nums[c][i] = n;
    this.rets[c][i] = r;
    this.length++;
  }

  num(i: number): number {
    return this.nums[i >>> CHUNK_BITS][i & (CHUNK - 1)];
  }

  ret(i: number): Val {
    return this.rets[i >>> CHUNK_BITS][i & (CHUNK - 1)];
  }

  /** A history holding this one's first `len` calls: full chunks are shared (the owner only
   * appends past them), the last partial one is copied. */
  prefix(len: number): History {
    const h = new History();
    const full = len >>> CHUNK_BITS;
    for (let c = 0; c < full; c++) {
      h.nums.push(this.nums[c]);
      h.rets.push(this.rets[c]);
    }
    h.length = full << CHUNK_BITS;
    for (let i = h.length; i < len; i++) h.push(this.num(i), this.ret(i));
    return h;
  }
}
