// Kernel constants, as in xv6's kernel/param.h.

export const NPROC = 64; // default size of the process table (--nproc)
export const NCPU = 3; // default number of CPUs (--cpus), as xv6's `make qemu`
export const NOFILE = 16; // open files per process
export const NFILE = 100; // open files per system
export const MAXARG = 32; // max exec arguments
export const MAXPATH = 128; // maximum file path name
export const DIRSIZ = 14; // file name length in a directory entry
export const PIPESIZE = 512; // bytes in a pipe's buffer

// One timer interrupt every TICK_CYCLES machine cycles. A cycle is one step of one CPU, so a
// tick is TICK_CYCLES steps of the whole machine, wherever they ran.
export const TICK_CYCLES = 10000;

// The console device's major number (xv6's CONSOLE in file.h).
export const CONSOLE = 1;
