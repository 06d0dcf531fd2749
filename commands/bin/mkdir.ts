// mkdir (xv6's user/mkdir.c): makes each named directory, stopping at the first failure.

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length < 2) {
    yield* fprintf(sys, 2, "Usage: mkdir files...\n");
    return yield* sys.exit(1);
  }
  for (let i = 1; i < argv.length; i++) {
    if ((yield* sys.mkdir(argv[i])) < 0) {
      yield* fprintf(sys, 2, "mkdir: %s failed to create\n", argv[i]);
      break;
    }
  }
  return yield* sys.exit(0);
}
