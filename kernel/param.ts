// Kernel constants, as in xv6's kernel/param.h; those programs may know too are in
// kernel/uapi/param.ts.

export const NPROC = 64; // default size of the process table (--nproc)
export const NCPU = 3; // default number of CPUs (--cpus), as xv6's `make qemu`
export const NFILE = 100; // open files per system

// One timer interrupt every TICK_CYCLES machine cycles. A cycle is one step of one CPU, so a
// tick is TICK_CYCLES steps of the whole machine, wherever they ran.
export const TICK_CYCLES = 10000;
