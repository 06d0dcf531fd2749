// The exit statuses that say why a command did not run, shared by the programs that run
// commands (sh, env, flock), with coreutils' names (its system.h) and the shell's meanings.

/** The shell's own errors: a syntax error, a bad argument to a special builtin (POSIX sh). */
export const EXIT_SHELL_ERROR = 2;

/** env's own failure, before it runs anything (coreutils' EXIT_CANCELED). */
export const EXIT_CANCELED = 125;

/** The command exists but could not be run (or, in sh, no process could be made for it). */
export const EXIT_CANNOT_INVOKE = 126;

/** The command could not be found, or not be run at all. */
export const EXIT_ENOENT = 127;
