// spin [TICKS]: burns CPU in user mode (xv6's `for(;;);`), never entering the kernel but to look
// at the clock now and then; it stops after TICKS clock ticks, or runs until killed.

import type { Program } from "../../kernel/uapi/abi.ts";
import { atoi, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** Steps of pure computation between two looks at the clock. */
const SPINS = 1000;

export default function* spin(sys: Sys, argv: string[]): Program {
  if (argv.length > 2 || (argv.length === 2 && !/^[0-9]+$/.test(argv[1]))) {
    yield* fprintf(sys, 2, "usage: spin [ticks]\n");
    return yield* sys.exit(1);
  }
  const ticks = argv.length === 2 ? atoi(argv[1]) : -1;
  const start = yield* sys.uptime();
  while (ticks < 0 || (yield* sys.uptime()) - start < ticks) {
    for (let i = 0; i < SPINS; i++) yield* sys.spin();
  }
  return yield* sys.exit(0);
}
