// init: the first user program (xv6's user/init.c). It opens the console as fds 0, 1 and 2,
// then starts sh and restarts it whenever it exits, reaping orphans silently on the way.
//
// dv6 exec runs init with a command ("init PROGRAM ARGS..."): init then runs that program
// instead of sh, and halts the machine with its exit status.

import type { Program } from "../../kernel/uapi/abi.ts";
import { CONSOLE } from "../../kernel/uapi/param.ts";
import { O_RDWR } from "../../kernel/uapi/fcntl.ts";
import { printf } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** Where a bare command name is found. */
export function binPath(name: string): string {
  return name.includes("/") ? name : "/bin/" + name;
}

export default function* init(sys: Sys, argv: string[]): Program {
  if ((yield* sys.open("/console", O_RDWR)) < 0) {
    yield* sys.mknod("/console", CONSOLE, 0);
    yield* sys.open("/console", O_RDWR);
  }
  yield* sys.dup(0); // stdout
  yield* sys.dup(0); // stderr

  if (argv.length > 1) {
    const pid = yield* sys.spawn(binPath(argv[1]), argv.slice(1));
    if (pid < 0) {
      yield* printf(sys, 2, "init: exec %s failed\n", argv[1]);
      return yield* sys.halt(127);
    }
    for (;;) {
      const [wpid, status] = yield* sys.wait();
      if (wpid === pid) return yield* sys.halt(status);
    }
  }

  for (;;) {
    yield* printf(sys, 1, "init: starting sh\n");
    const pid = yield* sys.fork();
    if (pid < 0) {
      yield* printf(sys, 1, "init: fork failed\n");
      return yield* sys.exit(1);
    }
    if (pid === 0) {
      yield* sys.exec("/bin/sh", ["sh"]);
      yield* printf(sys, 1, "init: exec sh failed\n");
      return yield* sys.exit(1);
    }
    for (;;) {
      // this call to wait() returns if the shell exits, or if a parentless process exits.
      const [wpid] = yield* sys.wait();
      if (wpid === pid) break; // the shell exited; restart it.
      if (wpid < 0) {
        yield* printf(sys, 1, "init: wait returned an error\n");
        return yield* sys.exit(1);
      }
      // it was a parentless process; do nothing.
    }
  }
}
