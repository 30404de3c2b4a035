/*
 * test_addr_fmt.c - nhrp_addr_format() writes exactly what inet_ntop()
 * writes, for edge and random addresses and every buffer size.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "addr.h"

static int
check4(const uint8_t q[4], int verbose)
{
	struct nhrp_addr a;
	char want[INET_ADDRSTRLEN + 8], got[NHRP_ADDRSTRLEN + 8];
	size_t len;

	memset(&a, 0, sizeof(a));
	a.afn = NHRP_AFN_IPV4;
	a.len = 4;
	memcpy(a.addr, q, 4);
	for (len = 1; len <= sizeof(want); len++) {
		memset(want, 'x', sizeof(want));
		memset(got, 'x', sizeof(got));
		if (inet_ntop(AF_INET, q, want, (socklen_t)len) == NULL)
			want[0] = '\0';
		if (nhrp_addr_format(&a, got, len) != got ||
		    strcmp(want, got) != 0) {
			tap_diag("%u.%u.%u.%u len %zu: want '%s' got '%.20s'",
			    q[0], q[1], q[2], q[3], len, want, got);
			return 0;
		}
		/* nothing written past the buffer */
		if (got[len] != 'x') {
			tap_diag("%u.%u.%u.%u len %zu: wrote past the end",
			    q[0], q[1], q[2], q[3], len);
			return 0;
		}
	}
	if (verbose)
		tap_diag("%u.%u.%u.%u ok", q[0], q[1], q[2], q[3]);
	return 1;
}

int
main(void)
{
	static const uint8_t edge[][4] = {
		{ 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 1, 2, 3, 4 },
		{ 9, 10, 99, 100 }, { 100, 99, 10, 9 }, { 199, 200, 249, 250 },
		{ 10, 0, 0, 1 }, { 192, 168, 1, 254 }, { 127, 0, 0, 1 },
		{ 101, 110, 111, 120 }, { 0, 255, 0, 255 },
	};
	uint8_t q[4];
	unsigned i, v, bad;
	struct nhrp_addr a;
	char buf[NHRP_ADDRSTRLEN];
	uint32_t x = 0x2545f491;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		OK(check4(edge[i], 0), "edge %u.%u.%u.%u", edge[i][0],
		    edge[i][1], edge[i][2], edge[i][3]);

	/* every octet value in every position */
	bad = 0;
	for (v = 0; v < 256; v++)
		for (i = 0; i < 4; i++) {
			memset(q, (int)(255 - v), sizeof(q));
			q[i] = (uint8_t)v;
			bad += !check4(q, 0);
		}
	INT_EQ(bad, 0, "every octet value in every position");

	/* random addresses (fixed seed xorshift: reproducible) */
	bad = 0;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(q, &x, 4);
		bad += !check4(q, 0);
	}
	INT_EQ(bad, 0, "20000 random addresses");

	/* IPv6 and unspecified keep their output */
	memset(&a, 0, sizeof(a));
	OK(nhrp_addr_parse("2001:db8::1", &a, 0, NULL) == 0, "parse v6");
	STR_EQ(nhrp_addr_format(&a, buf, sizeof(buf)), "2001:db8::1", "v6");
	memset(&a, 0, sizeof(a));
	STR_EQ(nhrp_addr_format(&a, buf, sizeof(buf)), "(unspecified)",
	    "unspecified");
	OK(nhrp_addr_parse("10.20.30.40", &a, 0, NULL) == 0, "parse v4");
	STR_EQ(nhrp_addr_format(&a, buf, sizeof(buf)), "10.20.30.40",
	    "parsed v4");
	return tap_done();
}
