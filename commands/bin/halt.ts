// halt [STATUS]: stops the machine; dv6 exits with STATUS (0 by default).

import type { Program } from "../../kernel/uapi/abi.ts";
import { fprintf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

export default function* halt(sys: Sys, argv: string[]): Program {
  if (argv.length > 2 || (argv.length === 2 && !/^-?[0-9]+$/.test(argv[1]))) {
    yield* fprintf(sys, 2, "usage: halt [status]\n");
    return yield* sys.exit(1);
  }
  return yield* sys.halt(argv.length === 2 ? Number(argv[1]) | 0 : 0);
}
