/*
 * bench_codec.c - parse and build throughput of the NHRP codec.
 *
 * Not run by make check:
 *	make tests/bench/bench_codec && tests/bench/bench_codec [ITERATIONS]
 * Packets: a Registration Request as upstream sends it (with Cisco NAT
 * extension and authentication), the hub's Registration Reply from the
 * s1 capture, and a forwarded Resolution Reply with transit and
 * responder records.  Each is parsed, and built from the parsed form,
 * ITERATIONS times (default 1000000); prints packets/s and ns/packet.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libnhrp/packet.h"

static const struct {
	const char	*name;
	const char	*hex;
} pkts[] = {
	{ "registration request",
	  "00010800000000000010006b628c003401030400040480020000000"
	  "1c63364020affff020affff0100ff000000001c200000000080040000"
	  "800500008003000000090014002000000000000004000400c6336401"
	  "0affff018007000b000000017365637265743780000000" },
	{ "registration reply",
	  "000108000000000000100070b61d0034010404000404800200000001"
	  "c63364020affff020affff0100ff00000000000f0000000080040000"
	  "8005000080030014000000000000000f04000400c63364010affff01"
	  "00090014002000000000000004000400c63364010affff0180000000" },
	{ "resolution reply",
	  "0001080000000000001000783f6e003c010204000404e00200000003"
	  "c63364020affff02c0a8030a0018000005781c2004000400c6336403"
	  "0affff0380040014000000000000001e04000400c63364010affff01"
	  "8005000080030014000000000000001e04000400c63364030affff03"
	  "0009000080000000" },
};

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, const char *name, unsigned long n, double t)
{
	printf("%-6s %-22s %10.0f packets/s %8.1f ns/packet\n", what, name,
	    (double)n / t, t * 1e9 / (double)n);
}

int
main(int argc, char **argv)
{
	uint8_t in[512], out[2048];
	struct nhrp_packet p;
	unsigned long n = 1000000, i;
	size_t k, len;
	double t0;
	ssize_t r = 0;
	volatile size_t sink = 0;

	if (argc > 1)
		n = strtoul(argv[1], NULL, 10);
	if (n == 0)
		n = 1;
	for (k = 0; k < sizeof(pkts) / sizeof(pkts[0]); k++) {
		len = unhex(pkts[k].hex, in, sizeof(in));
		if (nhrp_packet_parse(in, len, &p, NULL) != 0 ||
		    (r = nhrp_packet_build(&p, out, sizeof(out))) < 0 ||
		    (size_t)r != len || memcmp(in, out, len) != 0) {
			fprintf(stderr, "%s: vector does not round trip\n",
			    pkts[k].name);
			return 1;
		}
		nhrp_packet_clear(&p);

		t0 = now();
		for (i = 0; i < n; i++) {
			if (nhrp_packet_parse(in, len, &p, NULL) != 0)
				return 1;
			sink += p.cies.n;
			nhrp_packet_clear(&p);
		}
		report("parse", pkts[k].name, n, now() - t0);

		nhrp_packet_parse(in, len, &p, NULL);
		t0 = now();
		for (i = 0; i < n; i++) {
			r = nhrp_packet_build(&p, out, sizeof(out));
			sink += (size_t)r;
		}
		report("build", pkts[k].name, n, now() - t0);
		nhrp_packet_clear(&p);
	}
	(void)sink;
	return 0;
}
