// File types, as xv6's kernel/stat.h.

// File types, as in xv6's kernel/stat.h.
export const T_DIR = 1;
export const T_FILE = 2;
export const T_DEVICE = 3;
