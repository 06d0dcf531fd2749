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
import { hold, say, takeFlag, takeHold, usage } from "../lib/libipc.ts";
import { _exit, atexit, exit, onExit } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** The status exit() and _exit() are called with, which the handlers see. */
const STATUS = 2;

export default function* exithandlers(sys: Sys, argv: string[]): Program {
  const args = argv.slice(1);
  const holdTicks = takeHold(args);
  const quick = takeFlag(args, "--_exit");
  if (args.length > 0) return yield* usage(sys, "exithandlers [--_exit] [--hold [TICKS]]");

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

  if (holdTicks !== null) yield* hold(sys, holdTicks);
  if (quick) return yield* _exit(sys, STATUS);
  return yield* exit(sys, STATUS);
}
