// poll(), as Linux's poll.h.

import type { Val } from "./abi.ts";

// poll() events (Linux's values).
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

/** One file for poll(): the events asked for (POLLIN, POLLOUT) and, after it, those seen. */
export interface PollFd {
  fd: number;
  events: number;
  revents?: number;
}

/** A PollFd as poll() takes it on the wire, and as the journal records it (poll() answers
 * the revents, one number for each). */
export type PollFdWire = [fd: number, events: number];

export function pollFdToWire(p: PollFd): PollFdWire {
  return [p.fd, p.events];
}

/** A PollFd read from the wire, or null if it is not two integers. */
export function pollFdFromWire(v: Val): PollFd | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [fd, events] = v;
  if (!isInteger(fd) || !isInteger(events)) return null;
  return { fd, events };
}

function isInteger(x: Val): x is number {
  return typeof x === "number" && Number.isSafeInteger(x);
}
