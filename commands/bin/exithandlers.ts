// exithandlers [--_exit] [--hold [TICKS]]: the classic example of atexit(3) and on_exit(3).
// It registers on_exit(h, 10), atexit(a1), atexit(a2) and on_exit(h, 20), then calls exit(2),
// which runs them in the reverse order of their registration, as Linux does:
//   on_exit function called: status=2, arg=20
//   atexit function 2 called
//   atexit function 1 called
//   on_exit function called: status=2, arg=10
// and the status is 2. With --_exit it calls _exit(2) instead, which runs none of them; with
// --hold it waits first (forever, or TICKS ticks): killed meanwhile, it runs none of them.

import type { Program } from "../../kernel/uapi/abi.ts";
import { Getopt, type LongOption, no_argument } from "../lib/getopt.ts";
import { HOLD, hold, holdTicks, say, usage } from "../lib/libipc.ts";
import { _exit, atexit, exit, onExit } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

const USAGE = "exithandlers [--_exit] [--hold [TICKS]]";

const LONGOPTS: LongOption[] = [HOLD, { name: "_exit", has_arg: no_argument, val: "_exit" }];

/** The status exit() and _exit() are called with, which the handlers see. */
const STATUS = 2;

export default function* exithandlers(sys: Sys, argv: string[]): Program {
  let holdFor: number | null = null; // no --hold
  let quick = false;
  const g = new Getopt(argv, ":", LONGOPTS);
  for (let c; (c = g.getopt()) !== -1;) {
    if (c === "hold") holdFor = holdTicks(g);
    else if (c === "_exit") quick = true;
    if ((c === "hold" && holdFor === null) || c === "?" || c === ":") {
      return yield* usage(sys, USAGE);
    }
  }
  if (g.optind < g.argv.length) return yield* usage(sys, USAGE);

  const h = function* (status: number, arg: number) {
    yield* say(sys, 1, `on_exit function called: status=${status}, arg=${arg}`);
  };
  onExit(sys, h, 10);
  atexit(sys, function* () {
    yield* say(sys, 1, "atexit function 1 called");
  });
  atexit(sys, function* () {
    yield* say(sys, 1, "atexit function 2 called");
  });
  onExit(sys, h, 20);

  if (holdFor !== null) yield* hold(sys, holdFor);
  if (quick) return yield* _exit(sys, STATUS);
  return yield* exit(sys, STATUS);
}
