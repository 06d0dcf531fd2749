// kill: xv6's user/kill.c: kill(pid) for each argument, whatever the result.

import type { Program } from "../kernel/abi.ts";
import { atoi, fprintf } from "./ulib.ts";
import type { Sys } from "./usys.ts";

export default function* kill(sys: Sys, argv: string[]): Program {
  if (argv.length < 2) {
    yield* fprintf(sys, 2, "usage: kill pid...\n");
    return yield* sys.exit(1);
  }
  for (const arg of argv.slice(1)) yield* sys.kill(atoi(arg));
  return yield* sys.exit(0);
}
