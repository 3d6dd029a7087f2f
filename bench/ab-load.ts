// One side's load in `npm run bench:ab` (ab.ts), in a process of its own:
// two loads driven from one event loop are not driven alike (with the same
// code on both sides, one side came out 4% cheaper per request in one run and
// 6% dearer in the next). Prints one JSON line: the load's result.
//
// Argument: JSON of { origin, token, workload, context, body, seconds }.

import { runLoad } from './load.ts';
import { WORKLOADS, type WorkloadContext } from './workloads.ts';

interface AbLoad {
  origin: string;
  token: string;
  workload: string;
  context: WorkloadContext;
  /** The bytes every answer must be. */
  body: string;
  seconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as AbLoad;
const workload = WORKLOADS.find((w) => w.id === options.workload);
if (!workload) throw new Error(`unknown workload ${options.workload}`);
const result = await runLoad({
  origin: options.origin,
  token: options.token,
  workload,
  context: options.context,
  connections: 10,
  durationSeconds: options.seconds,
  expect: () => ({ mode: 'bytes', body: options.body }),
});
console.log(JSON.stringify(result));
