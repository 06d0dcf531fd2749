// cat [FILE...] (xv6's user/cat.c): copies each named file, or the standard input with no
// arguments (or for `-`), to the standard output, 512 bytes at a time. A file it cannot open
// gets xv6's "cat: cannot open FILE" on fd 2, and cat goes on with the next one, as POSIX cat
// does, exiting with status 1 at the end. A read or write error still ends it at once.

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
  let status = 0;
  for (const file of argv.length > 1 ? argv.slice(1) : ["-"]) {
    if (file === "-") {
      yield* cat(sys, 0);
      continue;
    }
    const fd = yield* sys.open(file, O_RDONLY);
    if (fd < 0) {
      yield* fprintf(sys, 2, "cat: cannot open %s\n", file);
      status = 1;
      continue;
    }
    yield* cat(sys, fd);
    yield* sys.close(fd);
  }
  return yield* sys.exit(status);
}
