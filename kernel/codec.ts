// The encoding of values (varints, zigzag integers, interned strings, byte strings, arrays):
// the journal's records are made of them, and a process's history keeps its system calls'
// results in them (kernel/history.ts). A broken invariant (a value no encoding holds) panics.

import type { Val } from "./uapi/abi.ts";
import { panic } from "./printf.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes values into a growing buffer. */
export class ValEncoder {
  buf: Uint8Array;
  pos = 0;
  readonly strings: string[] = [];
  protected readonly index = new Map<string, number>();

  constructor(bytes = 256) {
    this.buf = new Uint8Array(bytes);
  }

  /** Start a new string table (the journal's frames each have their own, so that a long
   * session does not keep every string it ever recorded). */
  forgetStrings(): void {
    this.strings.length = 0;
    this.index.clear();
  }

  /** Start from this string table (a frame's strings so far, as a decoder learned them). */
  learnStrings(strings: readonly string[]): void {
    this.forgetStrings();
    for (const s of strings) {
      this.index.set(s, this.strings.length);
      this.strings.push(s);
    }
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  byte(b: number): void {
    if ((b & 0xff) !== b) panic(`journal: byte ${b} out of range`);
    this.room(1);
    this.buf[this.pos++] = b;
  }

  uint(v: number): void {
    // Most are small (a pid, a call number, a string's index): one byte, no checks but this.
    if ((v & 0x7f) === v && this.pos < this.buf.length) {
      this.buf[this.pos++] = v;
      return;
    }
    // (a negative, fractional or unsafe number would be written as another, or loop)
    if (!(v >= 0 && Number.isSafeInteger(v))) panic(`journal: uint ${v} out of range`);
    this.room(10);
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.pos++] = v;
  }

  int(v: number): void {
    if (!Number.isSafeInteger(v)) panic(`journal: int ${v} out of range`);
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  raw(bytes: Uint8Array): void {
    this.uint(bytes.length);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  str(s: string): void {
    const i = this.index.get(s);
    if (i !== undefined) {
      this.uint(i * 2);
      return;
    }
    this.index.set(s, this.strings.length);
    this.strings.push(s);
    const bytes = encoder.encode(s);
    this.uint(bytes.length * 2 + 1);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  val(v: Val): void {
    if (v === undefined) this.byte(0);
    else if (typeof v === "number") {
      if ((v | 0) === v) { // (a 32-bit integer: the common case, without isSafeInteger)
        this.byte(1);
        this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
      } else if (Number.isSafeInteger(v) && Number.isSafeInteger(2 * v)) { // (zigzag doubles it)
        this.byte(1);
        this.int(v);
      } else {
        this.byte(5);
        this.room(8);
        new DataView(this.buf.buffer).setFloat64(this.pos, v);
        this.pos += 8;
      }
    } else if (typeof v === "string") {
      this.byte(2);
      this.str(v);
    } else if (v instanceof Uint8Array) {
      this.byte(3);
      this.raw(v);
    } else {
      this.byte(4);
      this.uint(v.length);
      for (const x of v) this.val(x);
    }
  }
}

/** Decodes values; its string table follows the encoder's. */
export class ValDecoder {
  pos = 0;
  constructor(public buf: Uint8Array, readonly strings: string[] = []) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  peek(): number {
    return this.buf[this.pos];
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError("record cut short");
    return this.buf[this.pos++];
  }

  uint(): number {
    let v = 0, scale = 1, b;
    do {
      b = this.byte();
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b & 0x80);
    return v;
  }

  int(): number {
    const u = this.uint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  raw(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new RangeError("record cut short");
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const u = this.uint();
    if (u % 2 === 0) {
      const s = this.strings[u / 2];
      if (s === undefined) throw new RangeError(`unknown string #${u / 2}`);
      return s;
    }
    const n = (u - 1) / 2;
    if (this.pos + n > this.buf.length) throw new RangeError("record cut short");
    const s = decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    this.strings.push(s);
    return s;
  }

  val(): Val {
    const tag = this.byte();
    switch (tag) {
      case 0:
        return undefined;
      case 1:
        return this.int();
      case 2:
        return this.str();
      case 3:
        return this.raw();
      case 4: {
        const n = this.uint();
        const out: Val[] = [];
        for (let i = 0; i < n; i++) out.push(this.val());
        return out;
      }
      case 5: {
        if (this.pos + 8 > this.buf.length) throw new RangeError("record cut short");
        const v = new DataView(this.buf.buffer, this.buf.byteOffset).getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
    }
    throw new RangeError(`bad value tag ${tag}`);
  }
}
