// The program table: what exec finds by name (xv6's UPROGS). One line per program, by name.

import type { ProgramMain } from "../kernel/abi.ts";
import type { Sys } from "./usys.ts";
import echo from "./echo.ts";
import forktest from "./forktest.ts";
import init from "./init.ts";
import kill from "./kill.ts";
import usertests from "./usertests.ts";

export const PROGRAMS: Record<string, ProgramMain<Sys>> = {
  echo,
  forktest,
  init,
  kill,
  usertests,
};
