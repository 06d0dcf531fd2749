// echo [-n] [ARG...] (xv6's user/echo.c): writes its arguments separated by spaces and ended by
// a newline, each piece with its own write(); with no arguments it writes nothing at all, as
// xv6's does. A first argument -n (or -nn...; several may come first) leaves the newline out,
// as coreutils' echo does; any other argument, `--` and -e included, is printed.

import type { Program } from "../../kernel/uapi/abi.ts";
import type { Sys } from "../lib/usys.ts";

export default function* echo(sys: Sys, argv: string[]): Program {
  let first = 1;
  while (first < argv.length && /^-n+$/.test(argv[first])) first++;
  const newline = first === 1;
  for (let i = first; i < argv.length; i++) {
    yield* sys.write(1, argv[i]);
    if (i + 1 < argv.length) yield* sys.write(1, " ");
    else if (newline) yield* sys.write(1, "\n");
  }
  return 0;
}
