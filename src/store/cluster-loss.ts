import type { Cluster } from 'ioredis';

/**
 * Calls `back` each time a Redis Cluster serves again after part of it was
 * lost (never for the first connection). One Redis is either there or not;
 * a cluster also loses single nodes: a master that dies leaves its slots
 * unwritable until its replica takes over, and meanwhile other instances'
 * invalidations of those slots wait in their outboxes. So a node leaving
 * (`-node`) or the whole cluster closing marks a loss, and the next slot-map
 * refresh or ready ends it: the client then knows who serves every slot
 * again. A refresh before the replica took over ends it early; the node's
 * retry fails, leaves again and marks a new loss, so `back` fires once more
 * after the takeover (listeners must accept repeated calls).
 */
export function watchClusterLoss(cluster: Cluster, back: () => void): void {
  // As for one Redis: lost only once it had been ready.
  let wasReady = cluster.status === 'ready';
  let lost = false;
  const markLost = () => {
    if (wasReady) lost = true;
  };
  const serving = () => {
    if (lost) back();
    lost = false;
  };
  cluster.on('ready', () => {
    serving();
    wasReady = true;
  });
  cluster.on('refresh', () => {
    if (cluster.status === 'ready') serving();
  });
  cluster.on('close', markLost);
  cluster.on('-node', markLost);
}
