// The program table: what exec finds by name (xv6's UPROGS). One line per program, by name.

import type { ProgramMain } from "../kernel/abi.ts";
import type { Sys } from "./usys.ts";
import cat from "./cat.ts";
import echo from "./echo.ts";
import fork from "./fork.ts";
import forktest from "./forktest.ts";
import grep from "./grep.ts";
import halt from "./halt.ts";
import help from "./help.ts";
import init from "./init.ts";
import kill from "./kill.ts";
import ln from "./ln.ts";
import ls from "./ls.ts";
import mkdir from "./mkdir.ts";
import ps from "./ps.ts";
import rm from "./rm.ts";
import sh from "./sh.ts";
import sleep from "./sleep.ts";
import spin from "./spin.ts";
import uptime from "./uptime.ts";
import usertests from "./usertests.ts";
import wc from "./wc.ts";

export const PROGRAMS: Record<string, ProgramMain<Sys>> = {
  cat,
  echo,
  fork,
  forktest,
  grep,
  halt,
  help,
  init,
  kill,
  ln,
  ls,
  mkdir,
  ps,
  rm,
  sh,
  sleep,
  spin,
  uptime,
  usertests,
  wc,
};
