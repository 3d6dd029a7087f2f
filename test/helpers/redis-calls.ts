import type { Cluster, Redis } from 'ioredis';

/** One call a client made to one Redis node, with the commands it ran: itself, or for a script each command inside. */
export interface RedisCall {
  node: string;
  /** Each command as its arguments, name lowercased first. */
  commands: string[][];
}

/**
 * Records, through MONITOR on every master, the calls Redis executed while
 * `work` ran. MONITOR shows a script's call first, then each command it ran
 * (source `lua`), and nothing runs between them: so a call is a client line
 * with the `lua` lines after it. Counted from what Redis executed, not from
 * what a client meant to send, so a test cannot miss work done inside a script.
 */
export async function recordCalls<T>(
  client: Redis | Cluster,
  work: () => Promise<T>,
): Promise<{ result: T; calls: RedisCall[] }> {
  const nodes = 'nodes' in client && typeof client.nodes === 'function' ? client.nodes('master') : [client as Redis];
  const calls: RedisCall[] = [];
  const monitors = await Promise.all(
    nodes.map(async (node, i) => {
      const name = `node${i}`;
      const monitor = await node.monitor();
      let current: RedisCall | null = null;
      const seen = new Set<string>();
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        const command = [String(args[0]).toLowerCase(), ...args.slice(1).map(String)];
        if (command[0] === 'echo' && args[1]) seen.add(String(args[1]));
        if (source === 'lua' && current) current.commands.push(command);
        else {
          current = { node: name, commands: [command] };
          calls.push(current);
        }
      });
      return { node, monitor, seen };
    }),
  );
  try {
    const result = await work();
    // MONITOR lines may trail the replies: a marker echoed after the work arrives after all of them.
    const marker = `recorded-${Date.now()}-${Math.random()}`;
    await Promise.all(monitors.map(({ node }) => node.echo(marker)));
    const deadline = Date.now() + 5_000;
    while (!monitors.every(({ seen }) => seen.has(marker))) {
      if (Date.now() > deadline) throw new Error('MONITOR never showed the end marker');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { result, calls };
  } finally {
    await Promise.all(monitors.map(({ monitor }) => monitor.disconnect()));
  }
}
