// pkill [-SIGNAL] [options] PATTERN: procps-ng's pkill. It selects processes as pgrep does
// (pgrep.ts has the options) and kills each one: xv6 has no signals, so whatever the signal
// (-9, -KILL, -TERM, --signal HUP, ...) the process is killed, as by kill(pid). It prints
// nothing unless asked (-e, -c); its status is 0 if it killed a process, 1 if none matched,
// 2 for a usage error.

import type { Program } from "../../kernel/uapi/abi.ts";
import { procgrep } from "./pgrep.ts";
import type { Sys } from "../lib/usys.ts";

export default function* pkill(sys: Sys, argv: string[]): Program {
  return yield* procgrep(sys, argv, "pkill");
}
