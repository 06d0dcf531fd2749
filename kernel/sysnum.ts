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
} as const;

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

// File types, as in xv6's kernel/stat.h.
export const T_DIR = 1;
export const T_FILE = 2;
export const T_DEVICE = 3;
