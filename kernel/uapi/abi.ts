// The boundary between user programs and the kernel: what a program yields, what it gets back.

/** A value that crosses the system-call boundary and is recorded in the journal. */
export type Val = number | string | Uint8Array | Val[] | undefined;

/** A system call request: its number and arguments. */
export interface SysReq {
  n: number;
  a: Val[];
}

/**
 * One step of a user program: a system call, or `null` for a step of pure user-mode
 * computation (xv6's `for(;;);`) that does not enter the kernel, so that only a timer
 * interrupt can take the CPU away from it.
 */
export type UserStep = SysReq | null;

/** A user-library routine (a system call stub, a library function): a generator over system
 * calls that returns a T. */
export type Call<T> = Generator<UserStep, T, Val>;

/** A running program: a generator over system calls that returns its exit status. */
export type Program = Call<number | void>;

/** A program's entry point, like C's main(argc, argv). `sys` is made fresh for each exec. */
export type ProgramMain<S> = (sys: S, argv: string[]) => Program;

/** A program as the kernel holds it: the kernel never looks inside the user library object. */
export type Image = ProgramMain<never>;
