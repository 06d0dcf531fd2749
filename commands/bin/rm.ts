// rm (xv6's user/rm.c): unlinks each named file (or empty directory), stopping at the first
// failure.

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length < 2) {
    yield* fprintf(sys, 2, "Usage: rm files...\n");
    return yield* sys.exit(1);
  }
  for (let i = 1; i < argv.length; i++) {
    if ((yield* sys.unlink(argv[i])) < 0) {
      yield* fprintf(sys, 2, "rm: %s failed to delete\n", argv[i]);
      break;
    }
  }
  return yield* sys.exit(0);
}
