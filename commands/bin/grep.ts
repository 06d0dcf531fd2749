// grep (xv6's user/grep.c): prints the lines of each named file, or of the standard input, that
// match a pattern. The matcher is Kernighan & Pike's (The Practice of Programming, chapter 9):
// `^` anchors at the start, `$` (last) at the end, `.` is any byte, `c*` zero or more c's.
//
// As in C, the lines live in a 1024-byte buffer read as NUL-terminated strings: only complete
// lines are printed (a last line without '\n' never is), a line that fills the buffer ends the
// search, and a NUL byte ends a line's text (and hides the lines after it in the buffer).

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { type Call, fprintf, printf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const BUFSIZE = 1024;
const NL = 0x0a;
const encoder = new TextEncoder();

/** A C string: bytes read up to the first NUL (or the end of the array, read as NUL). */
type CStr = Uint8Array;

function at(s: CStr, i: number): number {
  return i < s.length ? s[i] : 0;
}

/** match: search for re anywhere in text. */
export function match(re: CStr, text: CStr): boolean {
  if (at(re, 0) === 0x5e /* ^ */) return matchhere(re, 1, text, 0);
  let t = 0;
  do { // must look at empty string
    if (matchhere(re, 0, text, t)) return true;
  } while (at(text, t++) !== 0);
  return false;
}

/** matchhere: search for re[r..] at the beginning of text[t..]. */
function matchhere(re: CStr, r: number, text: CStr, t: number): boolean {
  if (at(re, r) === 0) return true;
  if (at(re, r + 1) === 0x2a /* * */) return matchstar(at(re, r), re, r + 2, text, t);
  if (at(re, r) === 0x24 /* $ */ && at(re, r + 1) === 0) return at(text, t) === 0;
  if (at(text, t) !== 0 && (at(re, r) === 0x2e /* . */ || at(re, r) === at(text, t))) {
    return matchhere(re, r + 1, text, t + 1);
  }
  return false;
}

/** matchstar: search for c*re[r..] at the beginning of text[t..]. */
function matchstar(c: number, re: CStr, r: number, text: CStr, t: number): boolean {
  do { // a * matches zero or more instances
    if (matchhere(re, r, text, t)) return true;
  } while (at(text, t) !== 0 && (at(text, t++) === c || c === 0x2e));
  return false;
}

/** strchr(s + from, '\n') on a NUL-terminated buffer: the index, or -1. */
function strchrNL(buf: Uint8Array, from: number): number {
  for (let i = from; buf[i] !== 0; i++) if (buf[i] === NL) return i;
  return -1;
}

function* grep(sys: Sys, pattern: CStr, fd: number): Call<void> {
  const buf = new Uint8Array(BUFSIZE);
  let m = 0;
  for (;;) {
    // read(fd, buf+m, sizeof(buf)-m-1): a full buffer asks for nothing, gets 0, and stops.
    const want = BUFSIZE - m - 1;
    if (want === 0) break;
    const n = yield* sys.read(fd, buf.subarray(m), want);
    if (n <= 0) break;
    m += n;
    buf[m] = 0;
    let p = 0;
    let q: number;
    while ((q = strchrNL(buf, p)) >= 0) {
      if (match(pattern, buf.subarray(p, q))) yield* sys.write(1, buf.slice(p, q + 1));
      p = q + 1;
    }
    if (m > 0) {
      m -= p;
      buf.copyWithin(0, p, p + m);
    }
  }
}

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length <= 1) {
    yield* fprintf(sys, 2, "usage: grep pattern [file ...]\n");
    return yield* sys.exit(1);
  }
  const bytes = encoder.encode(argv[1]);
  const nul = bytes.indexOf(0);
  const pattern = nul < 0 ? bytes : bytes.subarray(0, nul);

  if (argv.length <= 2) {
    yield* grep(sys, pattern, 0);
    return yield* sys.exit(0);
  }
  for (let i = 2; i < argv.length; i++) {
    const fd = yield* sys.open(argv[i], O_RDONLY);
    if (fd < 0) {
      yield* printf(sys, 1, "grep: cannot open %s\n", argv[i]);
      return yield* sys.exit(1);
    }
    yield* grep(sys, pattern, fd);
    yield* sys.close(fd);
  }
  return yield* sys.exit(0);
}
