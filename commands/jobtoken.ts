// jobtoken STYLE ARGS...: make's token helper (see jobserver.ts). A make that needs a job token
// while its jobs run waits for its children, so it starts this child to wait for the token:
//
//   jobtoken pipe R W PID    reads one byte from fd R and exits with it as its status; if its
//                            make (PID) died meanwhile, it writes the byte back to fd W, so that
//                            a killed make's helper loses nothing
//   jobtoken sysvsem ID      waits until semaphore set ID's semaphore 0 is not 0 (a semop of
//                            -1 and +1 at once, which changes nothing), then exits 0
//   jobtoken psem NAME       the same for the robust POSIX semaphore NAME
//
// Status 256: no token (end of file, an error).

import type { Program } from "../kernel/abi.ts";
import { ERRNO } from "../kernel/errno.ts";
import { AT_ADD, AT_LOAD } from "../kernel/sysnum.ts";
import { NO_TOKEN } from "./jobserver.ts";
import { PSEM_VALUE, PSEM_WAITERS, sem_open } from "./libpsem.ts";
import { fprintf } from "./ulib.ts";
import type { Sys } from "./usys.ts";

export default function* jobtoken(sys: Sys, argv: string[]): Program {
  const style = argv[1];
  if (style === "pipe" && argv.length === 5) {
    const [r, w, parent] = argv.slice(2).map(Number);
    const b = new Uint8Array(1);
    if ((yield* sys.read(r, b, 1)) !== 1) return NO_TOKEN;
    const me = yield* sys.getpid();
    const self = (yield* sys.procs()).find((p) => p.pid === me);
    if (self === undefined || self.ppid !== parent) {
      yield* sys.write(w, b); // its make is gone: the token goes back
      return NO_TOKEN;
    }
    return b[0];
  }
  if (style === "sysvsem" && argv.length === 3) {
    const r = yield* sys.semop(Number(argv[2]), [[0, -1, 0], [0, 1, 0]]);
    return r < 0 ? NO_TOKEN : 0;
  }
  if (style === "psem" && argv.length === 3) {
    const s = yield* sem_open(sys, argv[2]);
    if (typeof s === "number") return NO_TOKEN;
    for (;;) {
      if ((yield* sys.atomic(AT_LOAD, s.handle, PSEM_VALUE)) > 0) return 0;
      yield* sys.atomic(AT_ADD, s.handle, PSEM_WAITERS, 1);
      // The system-call path does not count its sleepers: look again every tick then.
      const r = yield* sys.futexwait(s.handle, PSEM_VALUE, 0, s.fast ? -1 : 1, "psem " + s.name);
      yield* sys.atomic(AT_ADD, s.handle, PSEM_WAITERS, -1);
      if (r < 0 && r !== -ERRNO.ETIMEDOUT && r !== -ERRNO.EAGAIN) return NO_TOKEN;
    }
  }
  yield* fprintf(sys, 2, "usage: jobtoken pipe R W PID | sysvsem ID | psem NAME\n");
  return 2;
}
