// Linux's error numbers and texts, for the calls dv6 takes from Linux (System V semaphores,
// futexes, file locks): such a call returns -errno, as the raw Linux system call does.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  ERANGE: 34,
  EDEADLK: 35,
  ENOSYS: 38,
  EIDRM: 43,
  ETIMEDOUT: 110,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
} as const;

export type ErrnoName = keyof typeof ERRNO;

const TEXT: Record<number, string> = {
  0: "Success",
  1: "Operation not permitted",
  2: "No such file or directory",
  4: "Interrupted system call",
  7: "Argument list too long",
  9: "Bad file descriptor",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  14: "Bad address",
  17: "File exists",
  22: "Invalid argument",
  27: "File too large",
  28: "No space left on device",
  34: "Numerical result out of range",
  35: "Resource deadlock avoided",
  38: "Function not implemented",
  43: "Identifier removed",
  110: "Connection timed out",
  130: "Owner died",
  131: "State not recoverable",
};

const NAME: Record<number, string> = Object.fromEntries(
  Object.entries(ERRNO).map(([name, n]) => [n, name]),
);

/** C's strerror(): "Resource temporarily unavailable" (`errno` or -errno). */
export function strerror(errno: number): string {
  const e = Math.abs(errno);
  return TEXT[e] ?? `Unknown error ${e}`;
}

/** "EAGAIN (Resource temporarily unavailable)", as dv6's commands print an error. */
export function errnoText(errno: number): string {
  const e = Math.abs(errno);
  return `${NAME[e] ?? `E${e}`} (${TEXT[e] ?? "Unknown error"})`;
}
