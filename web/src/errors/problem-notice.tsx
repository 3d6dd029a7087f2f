import type { Problem } from './codes.ts';

/** Shows a failure: what its code means, the server's message, and the code itself for bug reports. */
export function ProblemNotice({ problem }: { problem: Problem }) {
  return (
    <div className="problem" role="alert" data-code={problem.code}>
      <strong>{problem.meaning}</strong>
      {problem.detail && <span className="problem-detail">{problem.detail}</span>}
      <code>{problem.code}</code>
    </div>
  );
}
