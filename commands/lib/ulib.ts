// The user library (xv6's user/ulib.c and user/printf.c): what programs share on top of the
// system-call stubs. Every function here is a generator over system calls and keeps nothing at
// module level but constants, so a fork's re-run child and other processes see no shared state.

import type { Call } from "../../kernel/uapi/abi.ts";
import { errnoText } from "../../kernel/uapi/errno.ts";
import { DIRSIZ } from "../../kernel/uapi/param.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import type { Stat } from "../../kernel/uapi/stat.ts";
import type { Sys } from "./usys.ts";

/** Programs take Call<T> (kernel/uapi/abi.ts, the one definition) from here with the rest. */
export type { Call };

/** What printf's conversions accept (C's int, uint64, char* and char). */
export type PrintfArg = number | bigint | string | null | undefined;

const DIGITS = "0123456789ABCDEF"; // user printf prints hex in upper case
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One byte, one write() system call, as printf.c's putc. */
function* putc(sys: Sys, fd: number, c: number): Call<void> {
  yield* sys.write(fd, Uint8Array.of(c & 0xff));
}

function* puts(sys: Sys, fd: number, s: string): Call<void> {
  for (const c of encoder.encode(s)) yield* putc(sys, fd, c);
}

function toNumber(v: PrintfArg): number {
  if (typeof v === "bigint") return Number(BigInt.asIntN(64, v));
  if (typeof v === "string") return Number(v) || 0;
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** C's `int` from an argument: wraps to 32 bits. */
function toInt32(v: PrintfArg): number {
  if (typeof v === "bigint") return Number(BigInt.asIntN(32, v));
  return toNumber(v) | 0;
}

/** C's `uint64` from an argument. */
function toUint64(v: PrintfArg): bigint {
  if (typeof v === "bigint") return BigInt.asUintN(64, v);
  return BigInt.asUintN(64, BigInt(toNumber(v)));
}

/** printf.c's printint: `xx` is a C int; signed only for %d. */
function* printint(sys: Sys, fd: number, xx: number, base: number, sgn: boolean): Call<void> {
  let x: number;
  let neg = false;
  if (sgn && xx < 0) {
    neg = true;
    x = -xx; // -INT_MIN is 2^31 as a C uint
  } else {
    x = xx >>> 0;
  }
  const buf: string[] = [];
  do {
    buf.push(DIGITS[x % base]);
    x = Math.floor(x / base);
  } while (x !== 0);
  if (neg) buf.push("-");
  for (let i = buf.length - 1; i >= 0; i--) yield* putc(sys, fd, buf[i].charCodeAt(0));
}

/** printf.c's printptr: "0x" and 16 hex digits. */
function* printptr(sys: Sys, fd: number, x: bigint): Call<void> {
  yield* puts(sys, fd, "0x" + x.toString(16).toUpperCase().padStart(16, "0"));
}

/**
 * xv6's user printf to `fd`: `%d` (int), `%l` (as xv6-2022 does it: the low 32 bits, unsigned),
 * `%x` (int as unsigned hex, upper case), `%p` (0x + 16 hex digits), `%s` (null prints
 * "(null)"), `%c`, `%%`; an unknown `%z` prints itself. One write() per byte of output, so
 * output of concurrent processes interleaves byte by byte, as in xv6.
 */
export function* printf(sys: Sys, fd: number, fmt: string, ...args: PrintfArg[]): Call<void> {
  const f = encoder.encode(fmt);
  let ai = 0;
  let state = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    if (state === 0) {
      if (c === 0x25 /* % */) state = c;
      else yield* putc(sys, fd, c);
      continue;
    }
    const conv = String.fromCharCode(c);
    if (conv === "d") {
      yield* printint(sys, fd, toInt32(args[ai++]), 10, true);
    } else if (conv === "l") {
      yield* printint(sys, fd, toInt32(args[ai++]), 10, false);
    } else if (conv === "x") {
      yield* printint(sys, fd, toInt32(args[ai++]), 16, false);
    } else if (conv === "p") {
      yield* printptr(sys, fd, toUint64(args[ai++]));
    } else if (conv === "s") {
      const s = args[ai++];
      yield* puts(sys, fd, s === null || s === undefined ? "(null)" : String(s));
    } else if (conv === "c") {
      const ch = args[ai++];
      if (typeof ch === "string") {
        yield* puts(sys, fd, String.fromCodePoint(ch.codePointAt(0) ?? 0));
      } else {
        yield* putc(sys, fd, toInt32(ch));
      }
    } else if (conv === "%") {
      yield* putc(sys, fd, c);
    } else {
      // Unknown % sequence: print it to draw attention.
      yield* putc(sys, fd, 0x25);
      yield* putc(sys, fd, c);
    }
    state = 0;
  }
}

/** `fprintf(fd, ...)`: the same as printf, which already takes the fd. */
export const fprintf = printf;

/**
 * ulib.c's atoi: the value of the leading decimal digits, wrapping like a C int
 * ("abc" and "-5" give 0).
 */
export function atoi(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = (n * 10 + (c - 0x30)) | 0;
  }
  return n;
}

/**
 * ulib.c's gets: reads one byte at a time from `fd` (0 by default) until a '\n' or '\r' (kept
 * in the result), end of file or an error, or `max - 1` bytes. "" at end of file.
 */
export function* gets(sys: Sys, max: number, fd = 0): Call<string> {
  const bytes: number[] = [];
  const c = new Uint8Array(1);
  while (bytes.length + 1 < max) {
    const cc = yield* sys.read(fd, c, 1);
    if (cc < 1) break;
    bytes.push(c[0]);
    if (c[0] === 0x0a || c[0] === 0x0d) break;
  }
  return decoder.decode(Uint8Array.from(bytes));
}

/** ulib.c's stat: open, fstat, close. The file's Stat, or -1. */
export function* stat(sys: Sys, path: string): Call<Stat | -1> {
  const fd = yield* sys.open(path, O_RDONLY);
  if (fd < 0) return -1;
  const r = yield* sys.fstat(fd);
  yield* sys.close(fd);
  return r;
}

/** C's strlen of a program's string: its length in bytes (UTF-8). */
export function strlen(s: string): number {
  return encoder.encode(s).length;
}

/**
 * perror for the calls dv6 takes from Linux (they return -errno): "PROG: ENAME (text)" on fd 2,
 * in one write, e.g. `semop: EAGAIN (Resource temporarily unavailable)`. `err` may be the
 * call's negative answer or the positive errno.
 */
export function* perror(sys: Sys, prog: string, err: number): Call<void> {
  yield* sys.write(2, `${prog}: ${errnoText(err)}\n`);
}

/** atexit(fn): `fn` runs when the process calls exit() (not _exit(), not when killed). 0. */
export function atexit(sys: Sys, fn: () => Call<void>): number {
  sys.exitHandlers.push(() => fn());
  return 0;
}

/** on_exit(fn, arg): `fn(status, arg)` runs when the process calls exit(status). 0. */
export function onExit<A>(sys: Sys, fn: (status: number, arg: A) => Call<void>, arg: A): number {
  sys.exitHandlers.push((status) => fn(status, arg));
  return 0;
}

/**
 * C's exit(status): runs the atexit/on_exit handlers in the reverse order of their
 * registration (each one once: a handler that registers another, or calls exit, does not run
 * anything twice, as in glibc), then ends the process with `status`.
 */
export function* exit(sys: Sys, status: number): Call<never> {
  for (let h = sys.exitHandlers.pop(); h !== undefined; h = sys.exitHandlers.pop()) {
    yield* h(status);
  }
  return yield* sys.exit(status);
}

/** C's _exit(status): ends the process at once; no exit handler runs. */
export function _exit(sys: Sys, status: number): Call<never> {
  return sys.exit(status);
}

/** xv6's struct dirent: ushort inum; char name[DIRSIZ]. A directory reads as an array of them. */
const DIRENT = 16;

/** The next entry of directory fd (inum 0: a free slot), or null at its end. */
export function* readdirent(sys: Sys, fd: number): Call<{ inum: number; name: string } | null> {
  const de = new Uint8Array(DIRENT);
  if ((yield* sys.read(fd, de, DIRENT)) !== DIRENT) return null;
  const raw = de.subarray(2, 2 + DIRSIZ);
  const nul = raw.indexOf(0);
  return { inum: de[0] | (de[1] << 8), name: decoder.decode(nul < 0 ? raw : raw.subarray(0, nul)) };
}
