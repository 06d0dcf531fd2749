// Bench-only user programs. They are handed to machineFrom next to the real program table
// (bench/main.ts), so that the shipped commands/ stay free of them.
//
// The fork and spawn loops bracket the part being timed with a marker system call,
// close(MARK): a bad descriptor makes close fail at once (no lock, no extra step), and nothing
// else in these runs calls close. The bench's step log watches for its return (markerWatch).

import type { Program, ProgramMain } from "../kernel/uapi/abi.ts";
import { EV, type Event } from "../kernel/event.ts";
import { StepWatch } from "./watch.ts";
import { SYS } from "../kernel/uapi/syscall.ts";
import { PROGRAMS } from "../commands/programs.ts";
import type { Sys } from "../commands/lib/usys.ts";

/** The marker's argument: an fd no process can have. */
export const MARK = -7;

/** getpids N: N getpid() calls, then exit 0. */
function* getpids(sys: Sys, argv: string[]): Program {
  const n = Number(argv[1]);
  for (let i = 0; i < n; i++) yield* sys.getpid();
  return 0;
}

/**
 * forkloop N R: one fork+exit+wait round trip made with exactly N system calls of history
 * since exec (N-1 getpid calls and the start marker), then exec itself again with R-1, which
 * starts a fresh history, until R reaches 0. Only the round trip lies between the markers.
 */
function* forkloop(sys: Sys, argv: string[]): Program {
  const n = Number(argv[1]), rounds = Number(argv[2]);
  for (let i = 0; i < n - 1; i++) yield* sys.getpid();
  yield* sys.close(MARK); // start
  const pid = yield* sys.fork();
  if (pid < 0) return 1;
  if (pid === 0) return yield* sys.exit(0);
  const [wpid, status] = yield* sys.wait();
  yield* sys.close(MARK); // end
  if (wpid !== pid || status !== 0) return 2;
  if (rounds > 1) {
    yield* sys.exec("/bin/forkloop", ["forkloop", String(n), String(rounds - 1)]);
    return 3; // exec failed
  }
  return 0;
}

/** spawnloop R: R round trips of spawn(nop) + wait, between two markers. */
function* spawnloop(sys: Sys, argv: string[]): Program {
  const rounds = Number(argv[1]);
  yield* sys.close(MARK); // start
  for (let i = 0; i < rounds; i++) {
    const pid = yield* sys.spawn("/bin/nop", ["nop"]);
    if (pid < 0) return 1;
    const [wpid, status] = yield* sys.wait();
    if (wpid !== pid || status !== 0) return 2;
  }
  yield* sys.close(MARK); // end
  return 0;
}

/** nop: exits at once with status 0. */
function* nop(): Program {
  return 0;
}

/** The real programs (init is needed to boot) plus the bench's. */
export const BENCH_PROGRAMS: Readonly<Record<string, ProgramMain<Sys>>> = {
  ...PROGRAMS,
  getpids,
  forkloop,
  spawnloop,
  nop,
};

/**
 * A step log that passes every step on to `inner` and adds up the host time spent between
 * pairs of markers (close(MARK) returning to user mode): start, end, start, end, ...
 */
export class MarkerWatch extends StepWatch {
  /** Milliseconds spent inside marked windows. */
  ms = 0;
  /** Windows closed so far. */
  windows = 0;
  private openedAt = -1;

  protected watch(_cpu: number, _pid: number, _intr: number, ev: Event): void {
    if (ev.k === EV.SYSCALL && ev.n === SYS.close && ev.a[0] === MARK) {
      const now = performance.now();
      if (this.openedAt < 0) this.openedAt = now;
      else {
        this.ms += now - this.openedAt;
        this.windows++;
        this.openedAt = -1;
      }
    }
  }
}
