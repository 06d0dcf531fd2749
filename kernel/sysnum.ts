// System call numbers, as in xv6's kernel/syscall.h, followed by dv6's own calls.
// Shared by the kernel's dispatcher (syscall.ts) and the user stubs (commands/usys.ts).

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
} as const;

// System V IPC (Linux's values).
export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const SEM_UNDO = 0x1000;
export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_INFO = 19; // dv6: the ids of every semaphore set, for ipcs
export const SEMVMX = 32767; // semaphore maximum value
export const SEMAEM = SEMVMX; // adjust on exit max value
export const SEMOPM = 500; // max number of operations per semop call
export const SEMMSL = 32000; // max semaphores per set
export const SEMMNI = 32000; // max semaphore sets

// User-space atomic operations on shared memory words (a step each, no kernel entry): a
// program yields { n: ATOMIC, a: [op, handle, index, arg1, arg2, mark] }.
export const ATOMIC = -1;
export const AT_LOAD = 0, AT_STORE = 1, AT_ADD = 2, AT_CAS = 3, AT_XCHG = 4;
// `mark` tells the kernel where the program counter is, for --robust-fast=pcrange: the
// robust semaphore's fast path begins its critical section with its decrement (CRIT_ENTER)
// and ends it with the adjustment's increment (CRIT_LEAVE).
export const CRIT_NONE = 0, CRIT_ENTER = 1, CRIT_LEAVE = 2;

// shmopen() flags.
export const SHM_CREAT = 1;
export const SHM_EXCL = 2;

// Robust futex words (Linux's): the owner's pid in the low 30 bits.
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;

// psemop() operations.
export const PSEM_WAIT = 0, PSEM_TRYWAIT = 1, PSEM_POST = 2;

// flock() operations.
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

// fcntl() file status flags (Linux's values).
export const F_GETFL = 3;
export const F_SETFL = 4;

// fcntl() record locks.
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

// spawn() file actions (posix_spawn_file_actions_*), applied in the child in order.
export const SPAWN_OPEN = 1; // [SPAWN_OPEN, fd, path, flags]: open path as fd
export const SPAWN_DUP2 = 2; // [SPAWN_DUP2, fd, newfd]
export const SPAWN_CLOSE = 3; // [SPAWN_CLOSE, fd]

// spawn() flags.
export const SPAWN_SETPGROUP = 1; // put the child in process group `pgroup` (0: a new one, its pid)
export const SPAWN_FOREGROUND = 2; // make the child's group the console's foreground (^C kills it)

export type SysName = keyof typeof SYS;

/** Name of each system call by number, for the journal and `dv6 log`. */
export const SYSNAME: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, num] of Object.entries(SYS)) names[num] = name;
  return names;
})();

// open() flags, as in xv6's kernel/fcntl.h (O_APPEND is dv6's).
export const O_RDONLY = 0x000;
export const O_WRONLY = 0x001;
export const O_RDWR = 0x002;
export const O_CREATE = 0x200;
export const O_TRUNC = 0x400;
export const O_APPEND = 0x800;
export const O_NONBLOCK = 0x1000;

// poll() events (Linux's values).
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

// File types, as in xv6's kernel/stat.h.
export const T_DIR = 1;
export const T_FILE = 2;
export const T_DEVICE = 3;
