package tenantsync

import (
	"fmt"
	"hash/fnv"
)

// ShardOf returns the shard, from 0 to shards-1, that serves a tenant when tenants are split across shards workers
// (or groups of workers), each with its own task queue (ShardQueue). It is a hash of the id, so every starter and
// worker agrees on it without a table; shards below 2 is one shard.
func ShardOf(tenant string, shards int) int {
	if shards < 2 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(tenant))
	return int(h.Sum32() % uint32(shards))
}

// ShardQueue returns the task queue of a shard: queue itself when there is one shard, else queue-<shard>.
func ShardQueue(queue string, shard, shards int) string {
	if shards < 2 {
		return queue
	}
	return fmt.Sprintf("%s-%d", queue, shard)
}
