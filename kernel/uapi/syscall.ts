// System call numbers, as in xv6's kernel/syscall.h, followed by dv6's own calls.
// Shared by the kernel's dispatcher (syscall.ts) and the user stubs (commands/lib/usys.ts).

export const SYS = {
  fork: 1,
  exit: 2,
  wait: 3,
  pipe: 4,
  read: 5,
  kill: 6,
  exec: 7,
  fstat: 8,
  chdir: 9,
  dup: 10,
  getpid: 11,
  sbrk: 12,
  sleep: 13,
  uptime: 14,
  open: 15,
  write: 16,
  mknod: 17,
  unlink: 18,
  link: 19,
  mkdir: 20,
  close: 21,
  // dv6
  spawn: 22,
  halt: 23,
  procs: 24,
  // System V semaphores (Linux's semantics; errors are -errno)
  semget: 25,
  semop: 26, // semop and semtimedop in one: timeout in ticks, or -1
  semctl: 27,
  // shared memory and futexes
  shmopen: 28,
  shmunlink: 29,
  futexwait: 30,
  futexwake: 31,
  setrobustlist: 32,
  // robust POSIX semaphores (SerenityOS#26463's proposal)
  psemregister: 33, // the fast path's adjustment word, and the critical section's bounds
  psemop: 34, // the system-call path
  // file locks
  flock: 35,
  fcntl: 36, // record locks, and F_GETFL/F_SETFL
  poll: 37,
  getrandom: 38, // Linux's getrandom(): random bytes, from the machine's seeded generator
} as const;

export type SysName = keyof typeof SYS;

/** Name of each system call by number, for the journal and `dv6 log`. */
export const SYSNAME: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, num] of Object.entries(SYS)) names[num] = name;
  return names;
})();
