// jobtoken STYLE ARGS...: make's token helper (see jobserver.ts). A make that needs a job token
// while its jobs run waits for its children, so it starts this child to wait until a token is
// there, and then takes it itself. The helper takes nothing, so killing it loses nothing:
//
//   jobtoken pipe R          waits until fd R (the jobserver pipe) has a byte, then exits 0
//   jobtoken sysvsem ID      waits until semaphore set ID's semaphore 0 is not 0 (a semop of
//                            -1 and +1 at once, which changes nothing), then exits 0
//   jobtoken psem NAME       the same for the robust POSIX semaphore NAME
//
// Status 256: no token will come (the pipe hung up, the semaphore is gone, an error).

import type { Program } from "../../kernel/uapi/abi.ts";
import { ERRNO } from "../../kernel/uapi/errno.ts";
import { AT_ADD, AT_LOAD, sembuf } from "../../kernel/uapi/ipc.ts";
import { POLLIN } from "../../kernel/uapi/poll.ts";
import { NO_TOKEN } from "./jobserver.ts";
import { PSEM_VALUE, PSEM_WAITERS, sem_open } from "../lib/libpsem.ts";
import { fprintf } from "../lib/ulib.ts";
import type { PollFd, Sys } from "../lib/usys.ts";

export default function* jobtoken(sys: Sys, argv: string[]): Program {
  const style = argv[1];
  if (style === "pipe" && argv.length === 3) {
    const fd: PollFd = { fd: Number(argv[2]), events: POLLIN };
    const r = yield* sys.poll([fd]);
    return r === 1 && (fd.revents! & POLLIN) !== 0 ? 0 : NO_TOKEN;
  }
  if (style === "sysvsem" && argv.length === 3) {
    const r = yield* sys.semop(Number(argv[2]), [sembuf(0, -1, 0), sembuf(0, 1, 0)]);
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
  yield* fprintf(sys, 2, "usage: jobtoken pipe R | sysvsem ID | psem NAME\n");
  return 2;
}
