import type { Logger } from './logger.ts';

/** One step of a graceful stop, named so that a step which hangs can be reported. */
export interface ShutdownStep {
  /** Said in the log when the step fails or is given up on, e.g. "close the store". */
  readonly name: string;
  readonly run: () => Promise<unknown>;
  /** How long the step may take before shutdown moves on without it. */
  readonly timeoutMs: number;
  /** Called when the step is given up on, to force what it was waiting for (e.g. close every socket). */
  readonly onTimeout?: () => void;
}

/**
 * Runs the steps in order, each bounded by its timeout: a step that throws or
 * outlives its time is logged by name and left behind, because a dependency
 * that never answers (a Redis quit, a WASM database's close) must not keep a
 * stopped server alive. Resolves with the names of the steps that did not
 * finish, so the caller can choose the exit code.
 */
export async function runShutdown(steps: readonly ShutdownStep[], logger: Logger): Promise<string[]> {
  const unfinished: string[] = [];
  for (const step of steps) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), step.timeoutMs);
    });
    try {
      const outcome = await Promise.race([step.run().then(() => 'done' as const), timedOut]);
      if (outcome === 'timeout') {
        logger.error(
          { step: step.name, timeoutMs: step.timeoutMs },
          `shutdown: gave up on "${step.name}" after ${step.timeoutMs} ms`,
        );
        unfinished.push(step.name);
        step.onTimeout?.();
      }
    } catch (error) {
      logger.error({ step: step.name, err: (error as Error).message }, `shutdown: "${step.name}" failed`);
      unfinished.push(step.name);
    } finally {
      clearTimeout(timer);
    }
  }
  return unfinished;
}
