// usertests under the random policy: seeds 16-20 of the 20 (usertests_cases.ts), on 1, 2 and 3 CPUs.

import { randomRuns } from "./usertests_cases.ts";

randomRuns(3, 4);
