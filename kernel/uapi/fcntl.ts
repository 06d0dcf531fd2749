// open() flags, fcntl() commands, flock() operations and spawn()'s file actions: what
// xv6's kernel/fcntl.h has, and Linux's values for what dv6 adds.

// open() flags, as in xv6's kernel/fcntl.h (O_APPEND is dv6's).
export const O_RDONLY = 0x000;
export const O_WRONLY = 0x001;
export const O_RDWR = 0x002;
export const O_CREATE = 0x200;
export const O_TRUNC = 0x400;
export const O_APPEND = 0x800;
export const O_NONBLOCK = 0x1000;

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
