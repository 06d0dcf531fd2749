// echo (xv6's user/echo.c): writes its arguments separated by spaces and ended by a newline,
// each piece with its own write(); with no arguments it writes nothing at all.

import type { Program } from "../../kernel/uapi/abi.ts";
import type { Sys } from "../lib/usys.ts";

export default function* echo(sys: Sys, argv: string[]): Program {
  for (let i = 1; i < argv.length; i++) {
    yield* sys.write(1, argv[i]);
    if (i + 1 < argv.length) yield* sys.write(1, " ");
    else yield* sys.write(1, "\n");
  }
  return 0;
}
