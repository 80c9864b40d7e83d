/* SPDX-License-Identifier: MIT */
/*
 * ring_icount — instructions per message of the ring's tput loops, a
 * measure that does not depend on the machine's load: the very send_n and
 * recv_n that lib/chan.c's loops run (this file includes chan.c), driven
 * on one thread, a batch sent then received, so no side ever waits and
 * nothing but the per-message work is counted. scripts/ring_icount.sh runs
 * it under callgrind twice and prints the difference per message.
 *
 *	ring_icount SIZE BATCH COUNT
 */
#include "../lib/chan.c"

int zc_ring_icount_prod(uint64_t seq, uint32_t n);
int zc_ring_icount_cons(uint64_t seq, uint32_t n);

static struct zc_chan ch __attribute__((aligned(128)));

__attribute__((noinline)) int zc_ring_icount_prod(uint64_t seq, uint32_t n)
{
	return send_n(&ring_ops, &ch, seq, n, UINT64_MAX);
}

__attribute__((noinline)) int zc_ring_icount_cons(uint64_t seq, uint32_t n)
{
	uint64_t bad;
	return recv_n(&ring_ops, &ch, seq, n, &bad, 0);
}

int main(int argc, char **argv)
{
	static struct zc_chan_shared sh;
	struct zc_chan_cfg cfg = {.cap = 4096, .iso = 128, .node = -1};
	uint64_t count;

	if (argc != 4) {
		fprintf(stderr, "usage: ring_icount SIZE BATCH COUNT\n");
		return 2;
	}
	cfg.size = (uint32_t)atoi(argv[1]);
	cfg.batch = (uint32_t)atoi(argv[2]);
	count = strtoull(argv[3], NULL, 10);
	zc_chan_shared_init(&sh, ZC_CHAN_TPUT);
	if (zc_chan_open(&ch, ZC_CHAN_RING, &cfg, &sh)) {
		fprintf(stderr, "ring_icount: bad size or batch\n");
		return 2;
	}
	for (uint64_t s = 0; s < count; s += cfg.batch)
		if (zc_ring_icount_prod(s, cfg.batch) < 0 ||
		    zc_ring_icount_cons(s, cfg.batch) != (int)cfg.batch) {
			fprintf(stderr, "ring_icount: message check failed\n");
			return 1;
		}
	zc_chan_close(&ch);
	return 0;
}
