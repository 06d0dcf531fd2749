// cat (xv6's user/cat.c): copies each named file, or the standard input with no arguments, to
// the standard output, 512 bytes at a time. It stops at the first file it cannot open.

import type { Program } from "../../kernel/uapi/abi.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { type Call, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

function* cat(sys: Sys, fd: number): Call<void> {
  const buf = new Uint8Array(512);
  let n: number;
  while ((n = yield* sys.read(fd, buf, buf.length)) > 0) {
    if ((yield* sys.write(1, buf, n)) !== n) {
      yield* fprintf(sys, 2, "cat: write error\n");
      yield* sys.exit(1);
    }
  }
  if (n < 0) {
    yield* fprintf(sys, 2, "cat: read error\n");
    yield* sys.exit(1);
  }
}

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length <= 1) {
    yield* cat(sys, 0);
    return yield* sys.exit(0);
  }
  for (let i = 1; i < argv.length; i++) {
    const fd = yield* sys.open(argv[i], O_RDONLY);
    if (fd < 0) {
      yield* fprintf(sys, 2, "cat: cannot open %s\n", argv[i]);
      return yield* sys.exit(1);
    }
    yield* cat(sys, fd);
    yield* sys.close(fd);
  }
  return yield* sys.exit(0);
}
