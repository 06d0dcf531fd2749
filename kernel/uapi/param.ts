// The limits and device numbers programs may know, as in xv6's kernel/param.h and file.h (the
// rest of param.h, what only the kernel needs, is kernel/param.ts).

export const NOFILE = 16; // open files per process
export const MAXARG = 32; // max exec arguments
export const DIRSIZ = 14; // file name length in a directory entry
export const PIPESIZE = 512; // bytes in a pipe's buffer

// The console device's major number (xv6's CONSOLE in file.h).
export const CONSOLE = 1;
