// ln (xv6's user/ln.c): makes a new name (a hard link) for an existing file.

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length !== 3) {
    yield* fprintf(sys, 2, "Usage: ln old new\n");
    return yield* sys.exit(1);
  }
  if ((yield* sys.link(argv[1], argv[2])) < 0) {
    yield* fprintf(sys, 2, "link %s %s: failed\n", argv[1], argv[2]);
  }
  return yield* sys.exit(0);
}
