// poll(2): wait until one of several files is ready (Linux's fs/select.c, in xv6's terms).
//
// A process in xv6 sleeps on one channel, but a poller waits on many files at once. So every
// poller sleeps on one channel of the kernel's poll table, and a pipe or the console that a
// poller has looked at (its `polled` flag) wakes that channel whenever its state changes. The
// wakers hold their own lock (pipe, console) when they wake pollers, so a poller must not hold
// the poll lock while it takes theirs: it reads the table's sequence number first, looks at
// every file, and goes to sleep only if the number has not moved since (an event count). A
// change it did not see is one made after it looked, whose wakeup bumped the number first.

import type { KGen } from "./event.ts";
import { filepoll } from "./file.ts";
import type { Machine } from "./machine.ts";
import { NOFILE } from "./uapi/param.ts";
import { killedNoLock, timedSleep, wakeup } from "./proc.ts";
import { panic } from "./printf.ts";
import type { Proc } from "./proc.ts";
import { acquire, release, Spinlock } from "./spinlock.ts";
import { ERRNO } from "./uapi/errno.ts";
import { POLLERR, POLLHUP, POLLNVAL } from "./uapi/poll.ts";

export class PollTable {
  readonly lock = new Spinlock("poll");
  readonly chan = { what: "poll" };
  seq = 0; // bumped by every wakeup of pollers
}

/** A polled file's state changed: wake every poller (they look again). */
export function* pollwakeup(m: Machine): KGen {
  const pt = m.polls;
  yield* acquire(m, pt.lock);
  pt.seq++;
  yield* wakeup(m, pt.chan);
  yield* release(m, pt.lock);
}

/**
 * poll(fds, timeout): `fds` are [fd, events] pairs (a negative fd is skipped, as Linux does);
 * waits until one of them is ready, or for `deadline` (in ticks; Infinity: no timeout). Returns
 * each fd's revents (all 0 at the timeout), or -EINTR if the poller is killed.
 */
export function* poll(
  m: Machine,
  p: Proc,
  fds: [number, number][],
  deadline: number,
): KGen<number[] | number> {
  if (fds.length > NOFILE) return -ERRNO.EINVAL;
  const pt = m.polls;
  for (;;) {
    yield* acquire(m, pt.lock);
    const seq = pt.seq;
    yield* release(m, pt.lock);
    const revents: number[] = [];
    let ready = 0;
    for (const [fd, events] of fds) {
      const f = p.file(fd);
      // POLLERR, POLLHUP and POLLNVAL are reported whether asked for or not.
      const r = fd < 0
        ? 0
        : f === null
        ? POLLNVAL
        : (yield* filepoll(m, f)) & (events | POLLERR | POLLHUP);
      revents.push(r);
      if (r !== 0) ready++;
    }
    if (ready > 0 || m.ticks >= deadline) return revents;
    if (killedNoLock(p)) return -ERRNO.EINTR;
    yield* acquire(m, pt.lock);
    // The event count only goes up: were it to go back to `seq`, a wakeup would be lost.
    if (pt.seq < seq) panic("poll: seq went backwards");
    if (pt.seq === seq) yield* timedSleep(m, pt.chan, pt.lock, deadline);
    yield* release(m, pt.lock);
  }
}
