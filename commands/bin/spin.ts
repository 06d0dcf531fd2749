// spin [TICKS]: burns CPU in user mode (xv6's `for(;;);`), never entering the kernel but to look
// at the clock now and then; it stops after TICKS clock ticks, or runs until killed.
// spin -w STEPS: a fixed amount of work instead of a span of time: STEPS steps of user-mode
// computation, then it exits. Each step costs its CPU a cycle, so N such spins on N CPUs end
// in the time one takes alone (what `make -j` of computing jobs measures).

import type { Program } from "../../kernel/uapi/abi.ts";
import { Getopt } from "../lib/getopt.ts";
import { atoi, fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** Steps of pure computation between two looks at the clock. */
const SPINS = 1000;

const USAGE = "usage: spin [ticks] | spin -w steps\n";

export default function* spin(sys: Sys, argv: string[]): Program {
  let workSteps = -1;
  const g = new Getopt(argv, ":w:", []);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c !== "w" || !/^[0-9]+$/.test(g.optarg!)) return yield* usage(sys);
    workSteps = atoi(g.optarg!);
  }
  const operands = g.argv.slice(g.optind);
  if (
    operands.length > 1 || (operands.length === 1 && !/^[0-9]+$/.test(operands[0])) ||
    (workSteps >= 0 && operands.length > 0)
  ) {
    return yield* usage(sys);
  }
  if (workSteps >= 0) {
    for (let i = 0; i < workSteps; i++) yield* sys.spin();
    return yield* sys.exit(0);
  }
  const ticks = operands.length === 1 ? atoi(operands[0]) : -1;
  const start = yield* sys.uptime();
  while (ticks < 0 || (yield* sys.uptime()) - start < ticks) {
    for (let i = 0; i < SPINS; i++) yield* sys.spin();
  }
  return yield* sys.exit(0);
}

function* usage(sys: Sys): Program {
  yield* fprintf(sys, 2, USAGE);
  return yield* sys.exit(1);
}
