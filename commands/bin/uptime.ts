// uptime: how many clock ticks have passed since boot ("up 123 ticks").

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf, printf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* uptime(sys: Sys, argv: string[]): Program {
  if (argv.length > 1) {
    yield* fprintf(sys, 2, "usage: uptime\n");
    return yield* sys.exit(1);
  }
  yield* printf(sys, 1, "up %d ticks\n", yield* sys.uptime());
  return yield* sys.exit(0);
}
