/** Resolves when a dependency answers; rejects (or hangs) when it does not. */
export type DependencyCheck = () => Promise<void>;

/** One dependency as /ready reports it; never the error text, which may name hosts or credentials. */
export interface DependencyState {
  state: 'up' | 'down';
  ms: number;
}

/** The answer of /ready: ready only when every dependency is up. */
export interface Readiness {
  ready: boolean;
  dependencies: Record<string, DependencyState>;
}

/**
 * Checks every dependency at once, each bounded by `timeoutMs`: a dependency
 * that hangs (a cut network drops packets rather than refusing) must make the
 * instance unready, not make the load balancer's probe wait.
 */
export async function checkReadiness(
  checks: Record<string, DependencyCheck>,
  timeoutMs: number,
  onDown: (name: string, error: unknown) => void,
): Promise<Readiness> {
  const names = Object.keys(checks);
  const states = await Promise.all(
    names.map(async (name): Promise<DependencyState> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          (checks[name] as DependencyCheck)(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { state: 'up', ms: Math.round(performance.now() - started) };
      } catch (error) {
        onDown(name, error);
        return { state: 'down', ms: Math.round(performance.now() - started) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies: Record<string, DependencyState> = {};
  names.forEach((name, i) => {
    dependencies[name] = states[i] as DependencyState;
  });
  return { ready: states.every((s) => s.state === 'up'), dependencies };
}
