/*
 * bench_mem.c - hub memory per registered spoke (issue 7).
 *
 * Runs the daemon's real registration path in-process (packet_receive ->
 * server -> peer-register / peer-up hooks -> neighbour ACK -> reply) with
 * the fake kernel and hook layer of the unit tests, for N dynamic spokes,
 * and prints the memory that stays allocated per spoke: the bytes in use
 * (mallinfo2 uordblks + hblkhd, headers included, plus the peer slabs
 * mapped outside malloc) and the VmRSS growth.
 * Each size runs in its own process so the numbers do not mix.
 *
 *	make tests/bench/bench_mem && tests/bench/bench_mem [N ...]
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "addr.h"
#include "hash.h"
#include "packet.h"
#include "ptrie.h"
#include "nhrp/admin.h"
#include "nhrp/cache.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/ctl.h"
#include "nhrp/iface.h"
#include "nhrp/log.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "nhrp/sysdep.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static size_t
rss_kb(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd + peer_slab_bytes();
}

static struct nhrp_addr
ipv4(uint32_t host)
{
	struct nhrp_addr a;

	nhrp_addr_set_ipv4(&a, htonl(host));
	return a;
}

/* A spoke's registration request, as opennhrp 0.14.1 sends it. */
static size_t
regreq(uint8_t *buf, size_t size, uint32_t nbma, uint32_t proto, uint32_t id)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	struct nhrp_addr n = ipv4(nbma), s = ipv4(proto), d = ipv4(0x0a000001);
	ssize_t len;

	fx_req_a(&p, NHRP_REGISTRATION_REQUEST, NHRP_FLAG_REG_U, id, &n, &s,
	    &d);
	if ((c = nhrp_cie_list_add(&p.cies)) == NULL)
		return 0;
	c->prefix_len = 0xff;
	c->holding_time = 7200;
	fx_req_exts(&p);
	len = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return len > 0 ? (size_t)len : 0;
}

/* Finishes every pending hook and neighbour update, forgets the records. */
static void
drain(void)
{
	fx_drain();
	fx_forget();
}

/* The hub: gre1 (10.0.0.1/8, NBMA 198.18.0.1) over eth0. */
static struct nhrp_iface *
setup(void)
{
	static const char cfg[] = "interface gre1\n holding-time 7200\n";

	log_stderr(0);
	fake.route_src = ipv4(0xc6120001);
	if (fx_init(cfg, 1000.0) == NULL)
		return NULL;
	fx_link(2, "eth0", 1500, 0, 0, NULL, 0);
	fx_link(5, "gre1", 1476, 1, 0, "198.18.0.1", 0);
	fx_addr(5, "10.0.0.1", 8);
	drain();
	return iface_by_name("gre1");
}

/* CPU time: the host may be busy, wall time would measure it */
static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * What a show costs the loop: the whole reply at once (as before issue
 * 7), and with parts: the request (snapshot + first part) and the
 * longest later part.
 */
static void
show_cost(void)
{
	struct admin_out out;
	double t0, whole, first, part, worst = 0;
	size_t bytes, parts = 0;

	memset(&out, 0, sizeof(out));
	t0 = mono();
	ctl_handler(NULL, ADMIN_CMD_SHOW, "", &out);
	whole = mono() - t0;
	bytes = out.len;
	admin_out_free(&out);

	memset(&out, 0, sizeof(out));
	out.incremental = true;
	t0 = mono();
	ctl_handler(NULL, ADMIN_CMD_SHOW, "", &out);
	first = mono() - t0;
	for (;;) {
		admin_out_reset(&out);
		t0 = mono();
		if (admin_out_more(&out))
			break;
		part = mono() - t0;
		if (part > worst)
			worst = part;
		parts++;
	}
	admin_out_free(&out);
	printf("       show: %zu bytes; at once %.1f ms CPU; in parts: request "
	    "%.2f ms, %zu parts, longest %.2f ms\n", bytes, whole * 1e3,
	    first * 1e3, parts, worst * 1e3);
}

static int
run(unsigned n)
{
	struct nhrp_iface *ifp;
	struct nhrp_addr outer;
	uint8_t buf[512];
	size_t len, heap0, heap1, rss0, rss1, trie, hash, npeers;
	unsigned i;

	if ((ifp = setup()) == NULL) {
		fprintf(stderr, "bench_mem: setup failed\n");
		return 1;
	}
	/* warm up: the first registrations size the pools and the log path */
	for (i = 0; i < 16; i++) {
		outer = ipv4(0x64400000 + n + i);
		len = regreq(buf, sizeof(buf), 0x64400000 + n + i,
		    0x0a800000 + i, i + 1);
		packet_receive(5, &outer, buf, len);
		drain();
	}
	malloc_trim(0);
	heap0 = heap_used();
	rss0 = rss_kb();
	npeers = ifp->npeers;
	for (i = 0; i < n; i++) {
		outer = ipv4(0x64400000 + i);
		len = regreq(buf, sizeof(buf), 0x64400000 + i, 0x0a000002 + i,
		    100 + i);
		packet_receive(5, &outer, buf, len);
		drain();
	}
	heap1 = heap_used();
	rss1 = rss_kb();
	npeers = ifp->npeers - npeers;
	trie = nhrp_ptrie_memsize(ifp->trie);
	hash = ifp->nbma_idx.nbuckets * sizeof(struct nhrp_hnode *);
	if (npeers != n) {
		fprintf(stderr, "bench_mem: %zu of %u spokes registered\n",
		    npeers, n);
		return 1;
	}
	printf("%-6u %9.1f %9.1f %9.1f %9.1f %9zu\n", n,
	    (double)(heap1 - heap0) / n,
	    (double)(rss1 > rss0 ? rss1 - rss0 : 0) * 1024.0 / n,
	    (double)trie / ifp->npeers, (double)hash / ifp->npeers,
	    nhrp_ptrie_nodes(ifp->trie));
	show_cost();
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	static const unsigned defsizes[] = { 1000, 10000, 50000 };
	unsigned sizes[16];
	size_t nsizes = 0, i;
	pid_t pid;
	int st, rc = 0;

	for (i = 1; i < (size_t)argc && nsizes < 16; i++)
		sizes[nsizes++] = (unsigned)strtoul(argv[i], NULL, 10);
	if (nsizes == 0)
		for (i = 0; i < 3; i++)
			sizes[nsizes++] = defsizes[i];
	printf("sizeof(struct nhrp_peer) %zu, struct nhrp_addr %zu, "
	    "ev_timer %zu, nhrp_hnode %zu\n", sizeof(struct nhrp_peer),
	    sizeof(struct nhrp_addr), sizeof(ev_timer),
	    sizeof(struct nhrp_hnode));
	printf("%-6s %9s %9s %9s %9s %9s\n", "N", "heap B/sp", "RSS B/sp",
	    "trie B/sp", "hash B/sp", "trienodes");
	fflush(stdout);
	for (i = 0; i < nsizes; i++) {
		if ((pid = fork()) < 0)
			return 1;
		if (pid == 0)
			_exit(run(sizes[i]));
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}
