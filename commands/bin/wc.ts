// wc (xv6's user/wc.c): counts the lines, words and bytes of each named file, or of the
// standard input with no arguments, one "lines words bytes name" line each (no total). A word
// is a run of bytes other than " \r\t\n\v" and NUL (C's strchr finds the terminating NUL).
// Its error messages go to the standard output, as xv6's do.

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { type Call, printf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** strchr(" \r\t\n\v", c) != 0, the terminating NUL included. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0d || c === 0x09 || c === 0x0a || c === 0x0b || c === 0;
}

function* wc(sys: Sys, fd: number, name: string): Call<void> {
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
  if (n < 0) {
    yield* printf(sys, 1, "wc: read error\n");
    yield* sys.exit(1);
  }
  yield* printf(sys, 1, "%d %d %d %s\n", l, w, c, name);
}

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length <= 1) {
    yield* wc(sys, 0, "");
    return yield* sys.exit(0);
  }
  for (let i = 1; i < argv.length; i++) {
    const fd = yield* sys.open(argv[i], O_RDONLY);
    if (fd < 0) {
      yield* printf(sys, 1, "wc: cannot open %s\n", argv[i]);
      return yield* sys.exit(1);
    }
    yield* wc(sys, fd, argv[i]);
    yield* sys.close(fd);
  }
  return yield* sys.exit(0);
}
