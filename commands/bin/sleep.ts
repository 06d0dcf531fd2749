// sleep TICKS (the xv6 util lab's user/sleep.c): sleeps for TICKS clock ticks.

import type { Program } from "../../kernel/uapi/abi.ts";
import { atoi, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* sleep(sys: Sys, argv: string[]): Program {
  if (argv.length !== 2 || !/^[0-9]+$/.test(argv[1])) {
    yield* fprintf(sys, 2, "usage: sleep ticks\n");
    return yield* sys.exit(1);
  }
  yield* sys.sleep(atoi(argv[1]));
  return yield* sys.exit(0);
}
