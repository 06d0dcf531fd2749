// wc [-l -w -c] [FILE...] (xv6's user/wc.c, with POSIX's options): counts the lines, words and
// bytes of each named file, or of the standard input (also named `-`). A word is a run of
// bytes other than " \r\t\n\v" and NUL, as xv6 counts them (GNU wc also splits at \f, and a
// byte that is not printable neither starts nor ends a word there).
//
// Without options each file gets xv6's line, "lines words bytes name" (the name empty for
// the standard input), and several files a last such line named "total". With -l, -w or -c
// only those counts are printed, in that order, as GNU wc prints them: right-aligned in
// columns as wide as the digits of the files' total size (7 at least when one is not a
// regular file), one column without padding for a single count of a single file.
//
// A file it cannot open gets xv6's "wc: cannot open FILE" (on fd 2); wc goes on with the
// others and exits with status 1 at the end.

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { T_FILE } from "../../kernel/uapi/stat.ts";
import { Getopt, type LongOption, no_argument } from "../lib/getopt.ts";
import { type Call, stat } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const LONGOPTS: LongOption[] = [
  { name: "lines", has_arg: no_argument, val: "l" },
  { name: "words", has_arg: no_argument, val: "w" },
  { name: "bytes", has_arg: no_argument, val: "c" },
];

/** [lines, words, bytes]. */
type Counts = [number, number, number];

/** strchr(" \r\t\n\v", c) != 0, the terminating NUL included. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0d || c === 0x09 || c === 0x0a || c === 0x0b || c === 0;
}

/** The counts of an open file, or null after a read error. */
function* count(sys: Sys, fd: number): Call<Counts | null> {
  const buf = new Uint8Array(512);
  let l = 0, w = 0, c = 0;
  let inword = false;
  let n: number;
  while ((n = yield* sys.read(fd, buf, buf.length)) > 0) {
    for (let i = 0; i < n; i++) {
      c++;
      if (buf[i] === 0x0a) l++;
      if (isSpace(buf[i])) {
        inword = false;
      } else if (!inword) {
        w++;
        inword = true;
      }
    }
  }
  return n < 0 ? null : [l, w, c];
}

/** What the column width needs of a file: its size if it is a regular file, "other" if it is
 * not (a pipe, a device, a directory), null if it cannot be examined. */
function* sizeOf(sys: Sys, file: string): Call<number | "other" | null> {
  const st = file === "-" ? yield* sys.fstat(0) : yield* stat(sys, file);
  if (st === -1) return file === "-" ? "other" : null; // fstat fails on a pipe
  return st.type === T_FILE ? st.size : "other";
}

/**
 * GNU wc's column width (its compute_number_width): 1 for one count of one file, or when the
 * first file cannot be examined; else the digits of the regular files' total size, 7 at
 * least when a file is not a regular one.
 */
function* columnWidth(sys: Sys, files: string[], columns: number): Call<number> {
  if (files.length === 1 && columns === 1) return 1;
  let total = 0;
  let minimum = 1;
  for (let i = 0; i < files.length; i++) {
    const size = yield* sizeOf(sys, files[i]);
    if (size === null && i === 0) return 1;
    if (size === "other") minimum = 7;
    else if (size !== null) total += size;
  }
  return Math.max(String(total).length, minimum);
}

export default function* main(sys: Sys, argv: string[]): Program {
  const g = new Getopt(argv, "lwc", LONGOPTS);
  const selected = new Set<string>();
  for (let key; (key = g.getopt()) !== -1;) {
    if (key === "?") {
      yield* sys.write(2, g.error ?? "");
      yield* sys.write(2, "usage: wc [-lwc] [file ...]\n");
      return yield* sys.exit(1);
    }
    selected.add(key);
  }
  const operands = g.argv.slice(g.optind);
  const files = operands.length > 0 ? operands : ["-"];
  const shown = [selected.has("l"), selected.has("w"), selected.has("c")];
  const gnu = selected.size > 0;
  const width = gnu ? yield* columnWidth(sys, files, selected.size) : 0;

  /** One output line: xv6's form, or the selected counts in GNU's columns. */
  const line = (counts: Counts, name: string | null): string =>
    gnu
      ? counts.filter((_, k) => shown[k]).map((n) => String(n).padStart(width)).join(" ") +
        (name === null ? "" : ` ${name}`) + "\n"
      : `${counts.join(" ")} ${name ?? ""}\n`;

  const total: Counts = [0, 0, 0];
  let status = 0;
  for (const file of operands.length > 0 ? operands : [null]) {
    const fd = file === null || file === "-" ? 0 : yield* sys.open(file, O_RDONLY);
    if (fd < 0) {
      yield* sys.write(2, `wc: cannot open ${file}\n`);
      status = 1;
      continue;
    }
    const counts = yield* count(sys, fd);
    if (fd !== 0) yield* sys.close(fd);
    if (counts === null) {
      yield* sys.write(2, "wc: read error\n");
      status = 1;
      continue;
    }
    for (let k = 0; k < 3; k++) total[k] += counts[k];
    yield* sys.write(1, line(counts, file));
  }
  if (files.length > 1) yield* sys.write(1, line(total, "total"));
  return yield* sys.exit(status);
}
