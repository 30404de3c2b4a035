/*
 * test_packet.c - the NHRP wire codec against hand-written vectors.
 *
 * good[]: one vector per packet type (and IPv6, subaddresses, unknown
 * extensions), written byte by byte from the RFC 2332 field layouts; each
 * parses, has the expected fields and re-encodes byte-exact.  bad[]: at
 * least one vector per parse error.  Then the checksum, the build side,
 * the list helpers, allocation failures, and a deterministic bit-flip and
 * truncation sweep over every vector and every captured packet.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnhrp/packet.h"
#include "tests/tap.h"
#include "tests/codec/pcap.h"

/* ---- allocation failure injection (linked with --wrap) -------------------- */

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);

static long alloc_budget = -1;	/* allocations left; -1 = unlimited */
static long alloc_count;

static int
alloc_fails(void)
{
	alloc_count++;
	if (alloc_budget < 0)
		return 0;
	if (alloc_budget == 0)
		return 1;
	alloc_budget--;
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return alloc_fails() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

/* ---- helpers --------------------------------------------------------------- */

static size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max) {
			printf("Bail out! vector too long\n");
			exit(99);
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		printf("Bail out! odd number of hex digits\n");
		exit(99);
	}
	return n;
}

/*
 * The test's own RFC 1071 checksum, written differently from the codec's:
 * byte-wise, the odd final byte is the high half of a zero-padded word.
 */
static uint16_t
ref_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)(~sum & 0xffff);
}

/* Sets the checksum field over min(size field, len) bytes. */
static void
ref_fix(uint8_t *p, size_t len)
{
	size_t size;
	uint16_t c;

	if (len < 14)
		return;
	size = ((size_t)p[10] << 8) | p[11];
	if (size > len)
		size = len;
	p[12] = p[13] = 0;
	c = ref_cksum(p, size);
	p[12] = (uint8_t)(c >> 8);
	p[13] = (uint8_t)c;
}

static uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *d = __real_malloc(len ? len : 1);

	if (d == NULL)
		exit(99);
	if (len != 0)
		memcpy(d, p, len);
	return d;
}

static int
is_ip(const struct nhrp_addr *a, const char *s)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return 0;
	return a->afn == NHRP_AFN_IPV4 && a->len == 4 &&
	    memcmp(a->addr, &in, 4) == 0;
}

static int
is_ip6(const struct nhrp_addr *a, const char *s)
{
	struct in6_addr in;

	if (inet_pton(AF_INET6, s, &in) != 1)
		return 0;
	return a->afn == NHRP_AFN_IPV6 && a->len == 16 &&
	    memcmp(a->addr, &in, 16) == 0;
}

/* ---- vectors --------------------------------------------------------------- */

struct vec {
	const char	*name;
	const char	*hex;
};

/* Purge Request, N flag, no CIE; extensions RevTransit, Responder, End. */
#define PURGEREQ_HEX							\
	"0001 0800 0000000000 10 0034 b046 0028 01 05 04 00 04 04 8000 00000000 " \
	"c6336402 0affff02 0affff01 "					\
	"8005 0000 8003 0000 8000 0000 "

/*
 * Fixed header: afn(2) pro_type(2) snap(5) hop(1) size(2) cksum(2)
 * extoff(2) version(1) type(1) shtl(1) sstl(1); mandatory part: spln(1)
 * dpln(1) flags(2) request id(4) (Error Indication: unused(2) code(2)
 * offset(2)); addresses; CIEs: code(1) prefix(1) unused(2) mtu(2)
 * holding(2) nbma-tl(1) sub-tl(1) proto-len(1) pref(1) + addresses;
 * extensions type(2) length(2) payload.
 */
static const struct vec good[] = {
	{ "resreq",
	    "0001 0800 0000000000 10 0048 f1e4 0034 01 01 04 00 04 04 c002 11223344 "
	    "c6336402 0affff02 c0a8030a "
	    "00 00 0000 0000 001e 00 00 00 00 "
	    "8004 0000 8005 0000 8003 0000 0009 0000 8000 0000 "
	},
	{ "resrep",
	    "0001 0800 0000000000 10 0078 3f6e 003c 01 02 04 00 04 04 e002 00000003 "
	    "c6336402 0affff02 c0a8030a "
	    "00 18 0000 0578 1c20 04 00 04 00 c6336403 0affff03 "
	    "8004 0014 00 00 0000 0000 001e 04 00 04 00 c6336401 0affff01 "
	    "8005 0000 "
	    "8003 0014 00 00 0000 0000 001e 04 00 04 00 c6336403 0affff03 "
	    "0009 0000 "
	    "8000 0000 "
	},
	{ "regreq",
	    "0001 0800 0000000000 10 006b 628c 0034 01 03 04 00 04 04 8002 00000001 "
	    "c6336402 0affff02 0affff01 "
	    "00 ff 0000 0000 1c20 00 00 00 00 "
	    "8004 0000 8005 0000 8003 0000 "
	    "0009 0014 00 20 0000 0000 0000 04 00 04 00 c6336401 0affff01 "
	    "8007 000b 00000001 73656372657437 "
	    "8000 0000 "
	},
	{ "regrep",
	    "0001 0800 0000000000 00 0058 c78d 0034 01 04 04 00 04 04 8000 00000007 "
	    "c6336402 0affff02 0affff01 "
	    "0e ff 0102 0000 1c20 00 00 00 05 "
	    "8004 0000 8005 0000 8003 0014 00 00 0000 0000 001e 04 00 04 00 c6336401 0affff01 8000 0000 "
	},
	{ "purgereq", PURGEREQ_HEX },
	{ "purgerep",
	    "0001 0800 0000000000 10 0054 a17b 0048 01 06 04 00 04 04 0000 00000002 "
	    "c6336402 0affff02 0affff01 "
	    "00 20 0000 0000 0000 00 00 04 00 c0a802ff "
	    "00 18 0000 0000 0000 00 00 04 00 c0a80200 "
	    "8005 0000 8003 0000 8000 0000 "
	},
	{ "errind",
	    "0001 0800 0000000000 00 0074 2fe0 005c 01 07 04 00 04 04 8000 0006 0000 "
	    "c6336401 0affff01 0affff02 "
	    PURGEREQ_HEX		/* the offending packet */
	    "8004 0000 8000 0000 00000000000000000000000000000000 "
	},
	{ "trafind",
	    "0001 0800 0000000000 00 0044 9a94 003c 01 08 04 00 04 04 0000 00010000 "
	    "c6336401 0affff01 c0a8020a "
	    "45000054123440003f010000c0a8020ac0a8030a "
	    "8004 0000 8000 0000 "
	},
	{ "ipv6",
	    "0002 86dd 0000000000 10 0070 53c3 0068 01 01 10 00 10 10 c000 00000009 "
	    "20010db8000000000000000000000002 "
	    "fd000000000000000000000000000002 "
	    "fd000000000000000000000000000003 "
	    "00 80 0000 0000 0e10 00 00 10 00 fd000000000000000000000000000003 "
	    "8003 0000 8000 0000 "
	},
	{ "v4v6",
	    "0001 86dd 0000000000 10 0074 e5fb 004c 01 03 04 00 10 10 8002 00000005 "
	    "c6336402 fd000000000000000000000000000002 fd000000000000000000000000000001 "
	    "00 ff 0000 0000 1c20 00 00 00 00 "
	    "0009 0020 00 80 0000 0000 0000 04 00 10 00 c6336401 fd000000000000000000000000000001 "
	    "8000 0000 "
	},
	{ "unknownext",
	    "0001 0800 0000000000 10 0050 4ca5 0034 01 01 04 00 04 04 c002 0000000b "
	    "c6336402 0affff02 c0a8030a "
	    "00 00 0000 0000 001e 00 00 00 00 "
	    "8004 0000 0042 0003 abcdef 8008 0005 00000c0102 4003 0000 8000 0000 "
	},
	{ "subaddr",
	    "0001 0800 0000000000 ff 0048 5ed3 0044 01 03 04 04 04 04 8000 00000010 "
	    "c6336402 00000001 0affff02 0affff01 "
	    "00 20 0000 05dc 0e10 04 04 04 00 c6336402 00000002 0affff02 "
	    "8000 0000 "
	},
};
#define NGOOD	(sizeof(good) / sizeof(good[0]))

static const uint8_t *
good_bytes(const char *name, size_t *len)
{
	static uint8_t buf[NGOOD][512];
	size_t i;

	for (i = 0; i < NGOOD; i++)
		if (strcmp(good[i].name, name) == 0) {
			*len = unhex(good[i].hex, buf[i], sizeof(buf[i]));
			return buf[i];
		}
	printf("Bail out! no vector %s\n", name);
	exit(99);
}

static void
check_fields(const char *name, const struct nhrp_packet *p)
{
	const struct nhrp_ext *e;
	struct nhrp_packet h;
	size_t plen;
	const uint8_t *pb;

	if (strcmp(name, "resreq") == 0) {
		OK(p->type == NHRP_RESOLUTION_REQUEST && p->afn == 1 &&
		    p->pro_type == 0x0800 && p->hop_count == 16 &&
		    p->version == 1, "resreq: header");
		INT_EQ(p->flags, NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A |
		    NHRP_FLAG_CISCO_NAT, "resreq: flags");
		INT_EQ(p->request_id, 0x11223344, "resreq: request id");
		OK(is_ip(&p->src_nbma, "198.51.100.2") &&
		    p->src_nbma_sub.len == 0 &&
		    is_ip(&p->src_proto, "10.255.255.2") &&
		    is_ip(&p->dst_proto, "192.168.3.10"), "resreq: addresses");
		OK(p->cies.n == 1 && p->cies.cie[0].holding_time == 30 &&
		    p->cies.cie[0].nbma.len == 0 &&
		    p->cies.cie[0].nbma.afn == NHRP_AFN_NONE,
		    "resreq: one empty CIE, hold 30");
		OK(p->next == 4 && p->ext[0].type == 4 && p->ext[1].type == 5 &&
		    p->ext[2].type == 3 && p->ext[3].type == 9 &&
		    p->ext[0].compulsory && !p->ext[3].compulsory &&
		    p->ext[3].is_cie_list && p->has_end && p->trailer_len == 0,
		    "resreq: extensions 4,5,3,9,End");
	} else if (strcmp(name, "resrep") == 0) {
		const struct nhrp_cie *c = &p->cies.cie[0];

		OK(p->cies.n == 1 && c->prefix_len == 24 && c->mtu == 1400 &&
		    c->holding_time == 7200 && is_ip(&c->nbma, "198.51.100.3") &&
		    is_ip(&c->proto, "10.255.255.3"), "resrep: CIE");
		e = nhrp_packet_ext_find_const(p, NHRP_EXT_FORWARD_TRANSIT);
		OK(e != NULL && e->cies.n == 1 &&
		    is_ip(&e->cies.cie[0].proto, "10.255.255.1"),
		    "resrep: forward transit record");
		e = nhrp_packet_ext_find_const(p, NHRP_EXT_RESPONDER);
		OK(e != NULL && e->cies.n == 1 &&
		    is_ip(&e->cies.cie[0].nbma, "198.51.100.3"),
		    "resrep: responder");
	} else if (strcmp(name, "regreq") == 0) {
		e = nhrp_packet_ext_find_const(p, NHRP_EXT_AUTH);
		OK(e != NULL && e->compulsory && !e->is_cie_list &&
		    e->raw_len == 11 &&
		    memcmp(e->raw, "\0\0\0\001secret7", 11) == 0,
		    "regreq: auth raw bytes");
		OK(p->cies.n == 1 && p->cies.cie[0].prefix_len == 0xff,
		    "regreq: CIE prefix 255");
	} else if (strcmp(name, "regrep") == 0) {
		OK(p->cies.n == 1 && p->cies.cie[0].code ==
		    NHRP_CODE_UNIQUE_ADDRESS_REGISTERED &&
		    p->cies.cie[0].unused == 0x0102 &&
		    p->cies.cie[0].preference == 5 && p->hop_count == 0,
		    "regrep: code 14, unused and preference kept, hop 0");
	} else if (strcmp(name, "purgereq") == 0) {
		OK(p->flags == NHRP_FLAG_PURGE_N && p->cies.n == 0 &&
		    p->next == 2 && p->ext[0].type == 5, "purgereq: fields");
	} else if (strcmp(name, "purgerep") == 0) {
		OK(p->cies.n == 2 && p->cies.cie[0].prefix_len == 32 &&
		    is_ip(&p->cies.cie[1].proto, "192.168.2.0") &&
		    p->cies.cie[1].prefix_len == 24, "purgerep: two CIEs");
	} else if (strcmp(name, "errind") == 0) {
		pb = good_bytes("purgereq", &plen);
		INT_EQ(p->error_code, NHRP_ERR_PROTOCOL_UNREACHABLE,
		    "errind: code 6");
		INT_EQ(p->error_offset, 0, "errind: offset");
		INT_EQ(p->flags, 0x8000, "errind: unused field");
		INT_EQ(p->request_id, 0, "errind: no request id");
		INT_EQ(p->trailer_len, NHRP_EI_PADDING, "errind: padding");
		MEM_EQ(p->payload, p->payload_len, pb, plen,
		    "errind: payload = offending packet");
		OK(nhrp_packet_parse_header_only(p->payload, p->payload_len,
		    &h) == 0 && h.type == NHRP_PURGE_REQUEST &&
		    h.flags == NHRP_FLAG_PURGE_N &&
		    is_ip(&h.src_nbma, "198.51.100.2") &&
		    is_ip(&h.src_proto, "10.255.255.2"),
		    "errind: embedded header");
	} else if (strcmp(name, "trafind") == 0) {
		INT_EQ(p->request_id, 0x00010000, "trafind: traffic code 1");
		OK(p->payload_len == 20 && p->payload[0] == 0x45 &&
		    p->cies.n == 0, "trafind: raw IPv4 header payload");
	} else if (strcmp(name, "ipv6") == 0) {
		OK(p->afn == NHRP_AFN_IPV6 && p->pro_type == NHRP_PROTO_IPV6 &&
		    is_ip6(&p->src_nbma, "2001:db8::2") &&
		    is_ip6(&p->src_proto, "fd00::2") &&
		    is_ip6(&p->dst_proto, "fd00::3") && p->cies.n == 1 &&
		    p->cies.cie[0].prefix_len == 128 &&
		    is_ip6(&p->cies.cie[0].proto, "fd00::3"),
		    "ipv6: addresses by family");
	} else if (strcmp(name, "v4v6") == 0) {
		e = nhrp_packet_ext_find_const(p, NHRP_EXT_NAT_ADDRESS);
		OK(is_ip(&p->src_nbma, "198.51.100.2") &&
		    is_ip6(&p->src_proto, "fd00::2") && e != NULL &&
		    e->cies.n == 1 && is_ip(&e->cies.cie[0].nbma,
		    "198.51.100.1") && is_ip6(&e->cies.cie[0].proto, "fd00::1"),
		    "v4v6: IPv4 NBMA, IPv6 protocol");
	} else if (strcmp(name, "unknownext") == 0) {
		OK(p->next == 4 && p->ext[1].type == 0x42 &&
		    !p->ext[1].compulsory && p->ext[1].raw_len == 3 &&
		    memcmp(p->ext[1].raw, "\xab\xcd\xef", 3) == 0 &&
		    p->ext[2].type == NHRP_EXT_VENDOR && p->ext[2].compulsory &&
		    p->ext[2].raw_len == 5 && p->ext[3].type == 0x4003 &&
		    p->ext[3].raw_len == 0 && !p->ext[3].is_cie_list,
		    "unknownext: kept raw and in order");
	} else if (strcmp(name, "subaddr") == 0) {
		OK(p->src_nbma_sub.len == 4 && p->src_nbma_sub.addr[3] == 1 &&
		    p->cies.n == 1 && p->cies.cie[0].nbma_sub.len == 4 &&
		    p->cies.cie[0].mtu == 1500 && p->hop_count == 255 &&
		    p->next == 0 && p->has_end, "subaddr: subaddresses kept");
	}
}

static void
test_good(void)
{
	struct nhrp_packet p, q, c;
	struct nhrp_parse_info info;
	uint8_t out[1024], out2[1024], *v;
	size_t i, len;
	ssize_t n, n2;
	int r;

	for (i = 0; i < NGOOD; i++) {
		const uint8_t *b = good_bytes(good[i].name, &len);

		INT_EQ(((size_t)b[10] << 8) | b[11], len, "%s: size field",
		    good[i].name);
		INT_EQ(ref_cksum(b, len), 0, "%s: hand checksum", good[i].name);
		v = dup_exact(b, len);
		r = nhrp_packet_parse(v, len, &p, &info);
		if (!OK(r == 0, "%s parses (%s at %zu)", good[i].name,
		    nhrp_codec_strerror(r), info.error_offset)) {
			free(v);
			continue;
		}
		check_fields(good[i].name, &p);
		n = nhrp_packet_build(&p, out, sizeof(out));
		MEM_EQ(out, n > 0 ? (size_t)n : 0, v, len,
		    "%s re-encodes byte-exact", good[i].name);
		/* exactly enough room, then one byte short */
		n2 = nhrp_packet_build(&p, out2, len);
		INT_EQ(n2, len, "%s builds into exactly %zu bytes",
		    good[i].name, len);
		n2 = nhrp_packet_build(&p, out2, len - 1);
		INT_EQ(n2, -NHRP_E_TOO_BIG, "%s: one byte short", good[i].name);
		OK(nhrp_packet_copy(&c, &p) == 0 && nhrp_packet_equal(&c, &p),
		    "%s: copy is equal", good[i].name);
		n2 = nhrp_packet_build(&c, out2, sizeof(out2));
		MEM_EQ(out2, n2 > 0 ? (size_t)n2 : 0, v, len,
		    "%s: copy builds the same bytes", good[i].name);
		r = nhrp_packet_parse(out, (size_t)n, &q, NULL);
		OK(r == 0 && nhrp_packet_equal(&p, &q) && q.has_end,
		    "%s: reparse is equal", good[i].name);
		nhrp_packet_clear(&q);
		nhrp_packet_clear(&c);
		nhrp_packet_clear(&p);
		OK(p.ext == NULL && p.next == 0 && p.cies.cie == NULL,
		    "%s: clear empties", good[i].name);
		free(v);
	}
}

/* ---- bad vectors ------------------------------------------------------------ */

struct bad {
	const char	*name;
	const char	*base;		/* a good[] vector */
	size_t		 len;		/* 0: as base; longer: zero padded */
	const char	*patch;		/* "offset:hexbytes ..." */
	int		 nofix;		/* keep the checksum as patched */
	int		 err;
	long		 off;		/* expected error offset, -1: any */
	uint16_t	 unknown;	/* expected info.unknown_ext */
};

/* Offsets in resreq (72 bytes): 10 size, 12 checksum, 14 ext offset,
 * 16 version, 17 type, 18 shtl, 19 sstl, 20 spln, 21 dpln, 28..40
 * addresses, 40 CIE (48 nbma tl, 50 proto len), 52 FwdTransit,
 * 56 RevTransit, 60 Responder, 64 Cisco NAT, 68 End. */
static const struct bad bad[] = {
	{ "27 bytes", "resreq", 27, "", 0, NHRP_E_TRUNCATED, 27, 0 },
	{ "empty", "resreq", 0, "trunc", 0, NHRP_E_TRUNCATED, 0, 0 },
	{ "size > bytes", "resreq", 71, "", 0, NHRP_E_TRUNCATED, 10, 0 },
	{ "size < header", "resreq", 0, "10:001b", 0, NHRP_E_SIZE, 10, 0 },
	{ "size 0", "resreq", 0, "10:0000", 0, NHRP_E_SIZE, 10, 0 },
	{ "checksum", "resreq", 0, "12:f1e5", 1, NHRP_E_CHECKSUM, 12, 0 },
	{ "checksum zero", "resreq", 0, "12:0000", 1, NHRP_E_CHECKSUM, 12, 0 },
	{ "version 2", "resreq", 0, "16:02", 0, NHRP_E_VERSION, 16, 0 },
	{ "version 0", "resreq", 0, "16:00", 0, NHRP_E_VERSION, 16, 0 },
	{ "type 0", "resreq", 0, "17:00", 0, NHRP_E_TYPE, 17, 0 },
	{ "type 9", "resreq", 0, "17:09", 0, NHRP_E_TYPE, 17, 0 },
	{ "type 255", "resreq", 0, "17:ff", 0, NHRP_E_TYPE, 17, 0 },
	{ "afn 0", "resreq", 0, "0:0000", 0, NHRP_E_AFN, 0, 0 },
	{ "afn 3", "resreq", 0, "0:0003", 0, NHRP_E_AFN, 0, 0 },
	{ "afn 0xffff", "resreq", 0, "0:ffff", 0, NHRP_E_AFN, 0, 0 },
	{ "protocol 0x0801", "resreq", 0, "2:0801", 0, NHRP_E_AFN, 2, 0 },
	{ "nbma len 5", "resreq", 0, "18:05", 0, NHRP_E_ADDR_LEN, 18, 0 },
	{ "nbma len 16 for afn 1", "resreq", 0, "18:10", 0, NHRP_E_ADDR_LEN,
	    18, 0 },
	{ "nbma E.164 type bit", "resreq", 0, "18:44", 0, NHRP_E_ADDR_LEN,
	    18, 0 },
	{ "nbma bit 7", "resreq", 0, "18:84", 0, NHRP_E_ADDR_LEN, 18, 0 },
	{ "subaddress len 2", "resreq", 0, "19:02", 0, NHRP_E_ADDR_LEN, 19, 0 },
	{ "src proto len 16 for IPv4", "resreq", 0, "20:10", 0,
	    NHRP_E_ADDR_LEN, 20, 0 },
	{ "dst proto len 3", "resreq", 0, "21:03", 0, NHRP_E_ADDR_LEN, 21, 0 },
	{ "IPv6 proto len 4", "ipv6", 0, "20:04", 0, NHRP_E_ADDR_LEN, 20, 0 },
	{ "CIE proto len 3", "resreq", 0, "50:03", 0, NHRP_E_ADDR_LEN, 50, 0 },
	{ "CIE nbma len 6", "resreq", 0, "48:06", 0, NHRP_E_ADDR_LEN, 48, 0 },
	{ "CIE subaddress type bit", "resreq", 0, "49:40", 0, NHRP_E_ADDR_LEN,
	    49, 0 },
	{ "addresses past the size", "resreq", 0, "20:04 21:04 18:04 10:001c",
	    0, NHRP_E_TRUNCATED, -1, 0 },
	{ "ext offset inside header", "resreq", 0, "14:001e", 0,
	    NHRP_E_EXT_OFFSET, 14, 0 },
	{ "ext offset inside addresses", "resreq", 0, "14:0027", 0,
	    NHRP_E_EXT_OFFSET, 14, 0 },
	{ "ext offset beyond size", "resreq", 0, "14:0049", 0,
	    NHRP_E_EXT_OFFSET, 14, 0 },
	{ "ext offset 0xffff", "resreq", 0, "14:ffff", 0, NHRP_E_EXT_OFFSET,
	    14, 0 },
	{ "CIE list 13 bytes", "resreq", 0, "14:0035", 0, NHRP_E_CIE_OVERRUN,
	    52, 0 },
	{ "CIE list 11 bytes", "resreq", 0, "14:0033", 0, NHRP_E_CIE_OVERRUN,
	    40, 0 },
	{ "CIE addresses past payload", "resreq", 0, "48:04", 0,
	    NHRP_E_CIE_OVERRUN, 40, 0 },
	{ "extensions read as CIEs (offset 0)", "resreq", 0, "14:0000", 0,
	    NHRP_E_ADDR_LEN, 60, 0 },
	{ "extension length 100", "resreq", 0, "54:0064", 0,
	    NHRP_E_EXT_OVERRUN, 54, 0 },
	{ "End length past size", "resreq", 0, "70:0001", 0,
	    NHRP_E_EXT_OVERRUN, 70, 0 },
	{ "no End", "resreq", 68, "10:0044", 0, NHRP_E_EXT_NO_END, 68, 0 },
	{ "half an extension header", "resreq", 70, "10:0046", 0,
	    NHRP_E_EXT_NO_END, 68, 0 },
	{ "ext offset = size", "resreq", 52, "10:0034", 0, NHRP_E_EXT_NO_END,
	    52, 0 },
	{ "duplicate FwdTransit", "resreq", 0, "56:8004", 0,
	    NHRP_E_EXT_DUPLICATE, 56, 0 },
	{ "duplicate, other C bit", "resreq", 0, "56:0004", 0,
	    NHRP_E_EXT_DUPLICATE, 56, 0 },
	{ "duplicate unknown type", "unknownext", 0, "63:0042", 0,
	    NHRP_E_EXT_DUPLICATE, 63, 0 },
	{ "unknown compulsory 0x42", "resreq", 0, "64:8042", 0,
	    NHRP_E_EXT_UNKNOWN_COMPULSORY, 64, 0x42 },
	{ "unknown compulsory 10", "resreq", 0, "64:800a", 0,
	    NHRP_E_EXT_UNKNOWN_COMPULSORY, 64, 10 },
	{ "unknown compulsory 0x7fff", "resreq", 0, "64:ffff", 0,
	    NHRP_E_EXT_UNKNOWN_COMPULSORY, 64, 0x7fff },
	{ "End with length 4", "resreq", 76, "10:004c 70:0004", 0,
	    NHRP_E_EXT_BAD, 70, 0 },
	{ "NAT extension not a CIE", "resreq", 76,
	    "10:004c 66:0004 68:80000000 72:80000000", 0, NHRP_E_EXT_BAD, 68,
	    0 },
	{ "Responder CIE past extension", "resrep", 0, "90:0010", 0,
	    NHRP_E_EXT_BAD, -1, 0 },
	{ "transit CIE bad proto len", "resrep", 0, "74:05", 0,
	    NHRP_E_ADDR_LEN, 74, 0 },
};
#define NBAD	(sizeof(bad) / sizeof(bad[0]))

static size_t
apply_patch(uint8_t *b, size_t len, const char *patch)
{
	const char *s = patch;
	char *end;
	unsigned long off;
	int hi;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		if (strncmp(s, "trunc", 5) == 0)
			return 0;
		off = strtoul(s, &end, 10);
		if (*end != ':') {
			printf("Bail out! bad patch %s\n", patch);
			exit(99);
		}
		for (s = end + 1, hi = -1; *s != '\0' && *s != ' '; s++) {
			int v = (*s <= '9') ? *s - '0' : *s - 'a' + 10;

			if (hi < 0) {
				hi = v;
				continue;
			}
			if (off >= len) {
				printf("Bail out! patch beyond %zu\n", len);
				exit(99);
			}
			b[off++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return len;
}

static void
test_bad(void)
{
	struct nhrp_packet p;
	struct nhrp_parse_info info;
	uint8_t b[1024], *v;
	const uint8_t *base;
	size_t i, len, blen;
	int r, seen[NHRP_E_MAX];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NBAD; i++) {
		base = good_bytes(bad[i].base, &blen);
		len = bad[i].len != 0 ? bad[i].len : blen;
		memset(b, 0, sizeof(b));
		memcpy(b, base, blen < len ? blen : len);
		len = apply_patch(b, len, bad[i].patch);
		if (!bad[i].nofix)
			ref_fix(b, len);
		v = dup_exact(b, len);
		memset(&p, 0xa5, sizeof(p));
		r = nhrp_packet_parse(v, len, &p, &info);
		INT_EQ(r, -bad[i].err, "bad: %s -> %s", bad[i].name,
		    nhrp_codec_strerror(bad[i].err));
		if (bad[i].off >= 0)
			INT_EQ(info.error_offset, bad[i].off,
			    "bad: %s: error offset", bad[i].name);
		if (bad[i].unknown != 0)
			INT_EQ(info.unknown_ext, bad[i].unknown,
			    "bad: %s: unknown extension type", bad[i].name);
		OK(p.ext == NULL && p.next == 0 && p.cies.cie == NULL &&
		    p.payload == NULL, "bad: %s: packet left cleared",
		    bad[i].name);
		if (bad[i].err > 0 && bad[i].err < NHRP_E_MAX)
			seen[bad[i].err] = 1;
		/* info may be NULL */
		r = nhrp_packet_parse(v, len, &p, NULL);
		INT_EQ(r, -bad[i].err, "bad: %s without info", bad[i].name);
		free(v);
	}
	for (i = NHRP_E_TRUNCATED; i <= NHRP_E_EXT_BAD; i++)
		OK(seen[i], "a bad vector for %s", nhrp_codec_strerror(
		    (int)i));
	OK(nhrp_packet_parse(NULL, 0, &p, NULL) == -NHRP_E_TRUNCATED,
	    "NULL buffer");
}

/* ---- lenient but not byte-exact inputs -------------------------------------- */

static void
test_lenient(void)
{
	struct nhrp_packet p;
	uint8_t b[512], out[512], *v;
	const uint8_t *base;
	size_t len;
	ssize_t n;
	int r;

	/* No extensions (ext offset 0): the payload runs to the end; the
	 * rebuilt packet gets an End and an offset. */
	base = good_bytes("resreq", &len);
	memcpy(b, base, 52);
	b[10] = 0; b[11] = 52; b[14] = 0; b[15] = 0;
	ref_fix(b, 52);
	v = dup_exact(b, 52);
	r = nhrp_packet_parse(v, 52, &p, NULL);
	OK(r == 0 && !p.has_end && p.next == 0 && p.cies.n == 1,
	    "ext offset 0: accepted, no End");
	n = nhrp_packet_build(&p, out, sizeof(out));
	OK(n == 56 && out[14] == 0 && out[15] == 52 &&
	    memcmp(out + 52, "\x80\x00\x00\x00", 4) == 0,
	    "ext offset 0: rebuilt with End at offset 52");
	nhrp_packet_clear(&p);
	free(v);

	/* Traffic Indication without extensions: all raw payload. */
	base = good_bytes("trafind", &len);
	memcpy(b, base, 60);
	b[10] = 0; b[11] = 60; b[14] = 0; b[15] = 0;
	ref_fix(b, 60);
	v = dup_exact(b, 60);
	r = nhrp_packet_parse(v, 60, &p, NULL);
	OK(r == 0 && p.payload_len == 20 && p.next == 0,
	    "traffic indication without extensions");
	nhrp_packet_clear(&p);
	free(v);

	/* End without the compulsory bit: accepted, re-emitted with it. */
	base = good_bytes("resreq", &len);
	memcpy(b, base, len);
	b[68] = 0x00;
	ref_fix(b, len);
	v = dup_exact(b, len);
	r = nhrp_packet_parse(v, len, &p, NULL);
	OK(r == 0 && p.has_end, "End without C bit accepted");
	n = nhrp_packet_build(&p, out, sizeof(out));
	OK(n == (ssize_t)len && out[68] == 0x80, "End rebuilt as 0x8000");
	nhrp_packet_clear(&p);
	free(v);

	/* Link padding beyond the size field is ignored. */
	base = good_bytes("resreq", &len);
	memset(b, 0xee, sizeof(b));
	memcpy(b, base, len);
	v = dup_exact(b, len + 6);
	r = nhrp_packet_parse(v, len + 6, &p, NULL);
	n = r == 0 ? nhrp_packet_build(&p, out, sizeof(out)) : -1;
	MEM_EQ(out, n > 0 ? (size_t)n : 0, base, len,
	    "6 bytes of link padding ignored");
	nhrp_packet_clear(&p);
	free(v);

	/* Bytes after End: counted in trailer_len, re-emitted as zeros; the
	 * checksum covers them (s3c frame A). */
	base = good_bytes("resreq", &len);
	memcpy(b, base, len);
	b[72] = 0x01;
	b[10] = 0; b[11] = 73;
	ref_fix(b, 73);
	v = dup_exact(b, 73);
	r = nhrp_packet_parse(v, 73, &p, NULL);
	OK(r == 0 && p.trailer_len == 1,
	    "odd packet, non-zero byte after End, RFC checksum: accepted");
	n = nhrp_packet_build(&p, out, sizeof(out));
	OK(n == 73 && out[72] == 0 && nhrp_checksum(out, 73) == 0,
	    "rebuilt with a zero trailer byte and a valid checksum");
	nhrp_packet_clear(&p);
	/* The same with the odd byte summed as the low half (upstream's
	 * receive bug): must be rejected (s3c frame B). */
	{
		uint32_t sum = 0;
		size_t i;

		v[12] = v[13] = 0;
		for (i = 0; i + 1 < 73; i += 2)
			sum += (uint32_t)(v[i] << 8 | v[i + 1]);
		sum += v[72];
		while (sum > 0xffff)
			sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		v[12] = (uint8_t)(sum >> 8);
		v[13] = (uint8_t)sum;
	}
	INT_EQ(nhrp_packet_parse(v, 73, &p, NULL), -NHRP_E_CHECKSUM,
	    "odd byte summed as low byte: rejected");
	free(v);
}

/* ---- checksum ------------------------------------------------------------------ */

static void
test_checksum(void)
{
	static const uint8_t rfc[] = {	/* RFC 1071 section 3 example */
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};
	uint8_t b[128];
	size_t len;
	const uint8_t *base;

	INT_EQ(nhrp_checksum(rfc, 8), 0x220d, "RFC 1071 example: ~0xddf2");
	INT_EQ(nhrp_checksum(rfc, 0), 0xffff, "empty");
	INT_EQ(nhrp_checksum((const uint8_t *)"\x01", 1), 0xfeff,
	    "one odd byte is the high byte");
	INT_EQ(nhrp_checksum(rfc, 3), 0x0dfe, "three bytes: 0x0001 + 0xf200");
	INT_EQ(nhrp_checksum(rfc, 7), (uint16_t)~0xdcfb,
	    "seven bytes: final 0xf7 as 0xf700");
	INT_EQ(nhrp_checksum((const uint8_t *)"\xff\xff\xff\xff", 4), 0,
	    "end-around carry");
	for (len = 0; len < sizeof(b); len++)
		b[len] = (uint8_t)(len * 37 + 11);
	for (len = 0; len <= sizeof(b); len++)
		if (nhrp_checksum(b, len) != ref_cksum(b, len))
			break;
	INT_EQ(len, sizeof(b) + 1, "matches the reference for 0..128 bytes");

	base = good_bytes("regreq", &len);
	OK(len % 2 == 1 && nhrp_checksum(base, len) == 0,
	    "odd-length vector sums to zero");
	base = good_bytes("regrep", &len);
	OK(len % 2 == 0 && nhrp_checksum(base, len) == 0,
	    "even-length vector sums to zero");

	base = good_bytes("resreq", &len);
	memcpy(b, base, len);
	b[9] = 15;	/* hop count decremented by a forwarder */
	OK(nhrp_packet_fix_checksum(b, len) == 0 && ref_cksum(b, len) == 0,
	    "fix_checksum after a hop count change");
	INT_EQ(nhrp_packet_fix_checksum(b, 71), -NHRP_E_TRUNCATED,
	    "fix_checksum: size beyond buffer");
	INT_EQ(nhrp_packet_fix_checksum(b, 10), -NHRP_E_TRUNCATED,
	    "fix_checksum: short buffer");
	b[10] = 0; b[11] = 3;
	INT_EQ(nhrp_packet_fix_checksum(b, len), -NHRP_E_SIZE,
	    "fix_checksum: size field too small");
}

/* ---- building from the API ------------------------------------------------------ */

static void
set_ip(struct nhrp_addr *a, const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	nhrp_addr_set_ipv4(a, in.s_addr);
}

static void
test_build(void)
{
	struct nhrp_packet p, ei;
	struct nhrp_ext *e, *fwd;
	struct nhrp_cie *c;
	uint8_t out[1024], *big;
	const uint8_t *want, *inner;
	size_t len, ilen;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_REGISTRATION_REQUEST);
	OK(p.afn == NHRP_AFN_IPV4 && p.pro_type == NHRP_PROTO_IPV4 &&
	    p.version == 1 && p.hop_count == 16 &&
	    p.type == NHRP_REGISTRATION_REQUEST && p.next == 0 &&
	    p.cies.n == 0 && p.trailer_len == 0, "init: IPv4 defaults");

	/* The regreq vector, made through the API. */
	p.flags = NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	p.request_id = 1;
	set_ip(&p.src_nbma, "198.51.100.2");
	set_ip(&p.src_proto, "10.255.255.2");
	set_ip(&p.dst_proto, "10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = 7200;
	fwd = nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	OK(fwd != NULL && fwd->is_cie_list && fwd->compulsory,
	    "ext_add: forward transit is a CIE list");
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	e = nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS, false);
	c = nhrp_cie_list_add(&e->cies);
	c->prefix_len = 32;
	set_ip(&c->nbma, "198.51.100.1");
	set_ip(&c->proto, "10.255.255.1");
	e = nhrp_packet_ext_add(&p, NHRP_EXT_AUTH, true);
	OK(e != NULL && !e->is_cie_list &&
	    nhrp_ext_set_raw(e, "\0\0\0\001secret7", 11) == 0,
	    "ext_add + set_raw: auth");
	OK(fwd == nhrp_packet_ext_find(&p, NHRP_EXT_FORWARD_TRANSIT),
	    "earlier extension pointers stay valid");
	OK(nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS | NHRP_EXT_COMPULSORY,
	    true) == nhrp_packet_ext_find(&p, NHRP_EXT_NAT_ADDRESS) &&
	    p.next == 5 && !p.ext[3].compulsory,
	    "ext_add of a present type returns it unchanged");
	INT_EQ(nhrp_ext_set_raw(fwd, "x", 1), -NHRP_E_INVALID,
	    "set_raw on a CIE list extension");
	want = good_bytes("regreq", &len);
	n = nhrp_packet_build(&p, out, sizeof(out));
	MEM_EQ(out, n > 0 ? (size_t)n : 0, want, len,
	    "API-built registration request = hand vector");

	/* Remove keeps the order of the others. */
	nhrp_packet_ext_remove(&p, NHRP_EXT_REVERSE_TRANSIT);
	nhrp_packet_ext_remove(&p, 0x1234);
	OK(p.next == 4 && p.ext[0].type == 4 && p.ext[1].type == 3 &&
	    p.ext[2].type == 9 && p.ext[3].type == 7, "ext_remove keeps order");
	OK(nhrp_packet_ext_find(&p, NHRP_EXT_REVERSE_TRANSIT) == NULL &&
	    nhrp_packet_ext_find_const(&p, NHRP_EXT_AUTH |
	    NHRP_EXT_COMPULSORY) == &p.ext[3], "ext_find masks the C bit");

	/* Build errors */
	INT_EQ(nhrp_packet_build(&p, out, 10), -NHRP_E_TOO_BIG, "tiny buffer");
	INT_EQ(nhrp_packet_build(&p, out, 0), -NHRP_E_TOO_BIG, "no buffer");
	p.trailer_len = 70000;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_TOO_BIG,
	    "trailer does not fit");
	p.trailer_len = 0;
	p.type = 0;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "build type 0");
	p.type = 9;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "build type 9");
	p.type = NHRP_REGISTRATION_REQUEST;
	p.version = 2;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "build version 2");
	p.version = 1;
	p.afn = 3;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "build afn 3");
	p.afn = 1;
	p.pro_type = 0x1234;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "build unknown protocol type");
	p.pro_type = NHRP_PROTO_IPV6;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "IPv4 protocol address in an IPv6 packet");
	p.pro_type = NHRP_PROTO_IPV4;
	p.src_nbma.len = 5;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "NBMA length 5");
	p.src_nbma.len = 4;
	p.ext[2].cies.cie[0].proto.len = 16;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "NAT CIE protocol length 16");
	p.ext[2].cies.cie[0].proto.len = 4;
	p.ext[1].type = NHRP_EXT_FORWARD_TRANSIT;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "duplicate extension type");
	p.ext[1].type = NHRP_EXT_END;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "End in the extension list");
	p.ext[1].type = NHRP_EXT_RESPONDER;
	p.ext[1].is_cie_list = false;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "Responder not a CIE list");
	p.ext[1].is_cie_list = true;
	big = calloc(1, 70000);
	OK(big != NULL && nhrp_ext_set_raw(&p.ext[3], big, 70000) == 0,
	    "70000-byte auth payload set");
	INT_EQ(nhrp_packet_build(&p, big, 70000), -NHRP_E_TOO_BIG,
	    "extension longer than 65535");
	free(big);
	nhrp_ext_set_raw(&p.ext[3], NULL, 0);
	OK(p.ext[3].raw == NULL && p.ext[3].raw_len == 0, "set_raw empty");
	p.payload = (uint8_t *)"x";
	p.payload_len = 1;
	INT_EQ(nhrp_packet_build(&p, out, sizeof(out)), -NHRP_E_INVALID,
	    "raw payload in a registration request");
	p.payload = NULL;
	p.payload_len = 0;
	OK(nhrp_packet_build(&p, out, sizeof(out)) > 0, "valid again");
	nhrp_packet_clear(&p);

	/* Error Indication: payload, code, padding. */
	inner = good_bytes("purgereq", &ilen);
	nhrp_packet_init(&ei, NHRP_ERROR_INDICATION);
	ei.hop_count = 0;
	ei.flags = 0x8000;
	ei.error_code = NHRP_ERR_PROTOCOL_UNREACHABLE;
	set_ip(&ei.src_nbma, "198.51.100.1");
	set_ip(&ei.src_proto, "10.255.255.1");
	set_ip(&ei.dst_proto, "10.255.255.2");
	ei.payload = malloc(ilen);
	memcpy(ei.payload, inner, ilen);
	ei.payload_len = ilen;
	nhrp_packet_ext_add(&ei, NHRP_EXT_FORWARD_TRANSIT, true);
	ei.trailer_len = NHRP_EI_PADDING;
	want = good_bytes("errind", &len);
	n = nhrp_packet_build(&ei, out, sizeof(out));
	MEM_EQ(out, n > 0 ? (size_t)n : 0, want, len,
	    "API-built error indication = hand vector");
	c = nhrp_cie_list_add(&ei.cies);
	INT_EQ(nhrp_packet_build(&ei, out, sizeof(out)), -NHRP_E_INVALID,
	    "CIEs in an error indication");
	nhrp_packet_clear(&ei);

	/* Traffic Indication */
	nhrp_packet_init(&ei, NHRP_TRAFFIC_INDICATION);
	ei.hop_count = 0;
	ei.request_id = (uint32_t)1 << 16;
	set_ip(&ei.src_nbma, "198.51.100.1");
	set_ip(&ei.src_proto, "10.255.255.1");
	set_ip(&ei.dst_proto, "192.168.2.10");
	ei.payload = malloc(20);
	unhex("45000054123440003f010000c0a8020ac0a8030a", ei.payload, 20);
	ei.payload_len = 20;
	nhrp_packet_ext_add(&ei, NHRP_EXT_FORWARD_TRANSIT, true);
	want = good_bytes("trafind", &len);
	n = nhrp_packet_build(&ei, out, sizeof(out));
	MEM_EQ(out, n > 0 ? (size_t)n : 0, want, len,
	    "API-built traffic indication = hand vector");
	nhrp_packet_clear(&ei);

	/* Every type with nothing in it: header, End, valid checksum. */
	for (n = 1; n <= NHRP_TYPE_MAX; n++) {
		struct nhrp_packet q;
		ssize_t m;

		nhrp_packet_init(&p, (uint8_t)n);
		m = nhrp_packet_build(&p, out, sizeof(out));
		OK(m == 32 && out[14] == 0 && out[15] == 28 &&
		    nhrp_checksum(out, 32) == 0 &&
		    nhrp_packet_parse(out, 32, &q, NULL) == 0 &&
		    nhrp_packet_equal(&p, &q) && q.has_end,
		    "empty %s round trip", nhrp_packet_type_name((uint8_t)n));
		nhrp_packet_clear(&q);
	}
}

static void
test_names(void)
{
	static const char *const types[] = {
		"unknown", "Resolution Request", "Resolution Reply",
		"Registration Request", "Registration Reply", "Purge Request",
		"Purge Reply", "Error Indication", "Traffic Indication",
		"unknown",
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		STR_EQ(nhrp_packet_type_name((uint8_t)i), types[i],
		    "type name %zu", i);
	STR_EQ(nhrp_cie_code_name(0), "success", "CIE code 0");
	STR_EQ(nhrp_cie_code_name(4), "administratively prohibited",
	    "CIE code 4");
	STR_EQ(nhrp_cie_code_name(5), "insufficient resources", "CIE code 5");
	STR_EQ(nhrp_cie_code_name(11), "no binding exists", "CIE code 11");
	STR_EQ(nhrp_cie_code_name(13), "binding non-unique", "CIE code 13");
	STR_EQ(nhrp_cie_code_name(14), "unique address already registered",
	    "CIE code 14");
	STR_EQ(nhrp_cie_code_name(1), "unknown", "CIE code 1");
	STR_EQ(nhrp_cie_code_name(255), "unknown", "CIE code 255");
	STR_EQ(nhrp_error_code_name(1), "Unrecognized Extension", "error 1");
	STR_EQ(nhrp_error_code_name(11), "Authentication Failure", "error 11");
	STR_EQ(nhrp_error_code_name(15), "Hop Count Exceeded", "error 15");
	STR_EQ(nhrp_error_code_name(3), "unknown", "error 3");
	STR_EQ(nhrp_codec_strerror(0), "success", "strerror 0");
	STR_EQ(nhrp_codec_strerror(-NHRP_E_CHECKSUM), "bad checksum",
	    "strerror -checksum");
	STR_EQ(nhrp_codec_strerror(NHRP_E_CHECKSUM), "bad checksum",
	    "strerror +checksum");
	for (i = 0; i < NHRP_E_MAX; i++)
		OK(strcmp(nhrp_codec_strerror(-(int)i), "unknown error") != 0,
		    "strerror %zu has a text", i);
	STR_EQ(nhrp_codec_strerror(NHRP_E_MAX), "unknown error", "E_MAX");
	STR_EQ(nhrp_codec_strerror(INT_MIN), "unknown error", "INT_MIN");
	STR_EQ(nhrp_codec_strerror(INT_MAX), "unknown error", "INT_MAX");
}

/* ---- allocation failures --------------------------------------------------------- */

static void
test_nomem(void)
{
	struct nhrp_packet p, c;
	size_t i, len;
	long budget;
	int r, bad_r;
	uint8_t *v;

	for (i = 0; i < NGOOD; i++) {
		const uint8_t *b = good_bytes(good[i].name, &len);

		v = dup_exact(b, len);
		bad_r = 0;
		for (budget = 0; budget < 100; budget++) {
			alloc_budget = budget;
			r = nhrp_packet_parse(v, len, &p, NULL);
			alloc_budget = -1;
			if (r == 0)
				break;
			if (r != -NHRP_E_NOMEM || p.ext != NULL ||
			    p.cies.cie != NULL || p.payload != NULL)
				bad_r = 1;
		}
		OK(!bad_r && budget < 100, "%s: parse fails cleanly with "
		    "ENOMEM at each of %ld allocations", good[i].name, budget);
		bad_r = 0;
		for (budget = 0; budget < 100; budget++) {
			alloc_budget = budget;
			r = nhrp_packet_copy(&c, &p);
			alloc_budget = -1;
			if (r == 0)
				break;
			if (r != -NHRP_E_NOMEM || c.ext != NULL)
				bad_r = 1;
		}
		OK(!bad_r && r == 0 && nhrp_packet_equal(&c, &p),
		    "%s: copy fails cleanly at each of %ld allocations",
		    good[i].name, budget);
		nhrp_packet_clear(&c);
		nhrp_packet_clear(&p);
		free(v);
	}
	nhrp_packet_init(&p, NHRP_PURGE_REQUEST);
	alloc_budget = 0;
	OK(nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true) == NULL &&
	    nhrp_cie_list_add(&p.cies) == NULL && p.next == 0 &&
	    p.cies.n == 0, "ext_add and cie_list_add return NULL on ENOMEM");
	alloc_budget = -1;
	nhrp_packet_clear(&p);
}

/* ---- bit flips and truncations ------------------------------------------------------ */

struct sweep_stats {
	unsigned long	parsed, accepted, failures;
};

static uint8_t sweep_out[70000], sweep_out2[70000];

/* A parse that succeeded must rebuild, reparse equal and rebuild the same. */
static int
roundtrip_ok(const struct nhrp_packet *p, const uint8_t *in, size_t len)
{
	struct nhrp_packet q;
	size_t size, endpos, i;
	ssize_t n, n2;
	int ok, exact;

	n = nhrp_packet_build(p, sweep_out, sizeof(sweep_out));
	if (n < 0)
		return 0;
	if (nhrp_packet_parse(sweep_out, (size_t)n, &q, NULL) != 0)
		return 0;
	ok = nhrp_packet_equal(p, &q) && q.has_end;
	n2 = nhrp_packet_build(&q, sweep_out2, sizeof(sweep_out2));
	ok = ok && n2 == n && memcmp(sweep_out, sweep_out2, (size_t)n) == 0;
	nhrp_packet_clear(&q);
	/* Byte-exact unless a documented exception applies. */
	size = ((size_t)in[10] << 8) | in[11];
	if (ok && p->has_end && size <= len) {
		endpos = size - p->trailer_len - 4;
		exact = in[endpos] == 0x80;
		for (i = size - p->trailer_len; i < size; i++)
			if (in[i] != 0)
				exact = 0;
		if (exact)
			ok = (size_t)n == size &&
			    memcmp(sweep_out, in, size) == 0;
	}
	return ok;
}

static void
sweep_one(const uint8_t *buf, size_t len, struct sweep_stats *st)
{
	struct nhrp_packet p;
	uint8_t *v;
	int r;

	v = dup_exact(buf, len);
	st->parsed++;
	r = nhrp_packet_parse(v, len, &p, NULL);
	if (r == 0) {
		st->accepted++;
		if (!roundtrip_ok(&p, v, len))
			st->failures++;
		nhrp_packet_clear(&p);
	} else if (r >= 0 || r <= -NHRP_E_MAX || r == -NHRP_E_NOMEM ||
	    p.ext != NULL || p.cies.cie != NULL || p.payload != NULL)
		st->failures++;
	free(v);
}

static void
sweep(const char *name, const uint8_t *orig, size_t len)
{
	struct sweep_stats st = { 0, 0, 0 };
	uint8_t *b;
	size_t i, l, size;
	unsigned bit;
	unsigned long trunc_bad = 0;
	struct nhrp_packet p;
	int r;

	b = dup_exact(orig, len);
	size = len >= 12 ? ((size_t)orig[10] << 8 | orig[11]) : len;
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, orig, len);
			b[i] ^= (uint8_t)(1 << bit);
			sweep_one(b, len, &st);		/* as is */
			if (i != 12 && i != 13) {
				ref_fix(b, len);	/* past the checksum */
				sweep_one(b, len, &st);
			}
		}
	for (l = 0; l < len; l++) {
		uint8_t *v = dup_exact(orig, l);

		r = nhrp_packet_parse(v, l, &p, NULL);
		if (l < size && r != -NHRP_E_TRUNCATED)
			trunc_bad++;
		if (r == 0)
			nhrp_packet_clear(&p);
		free(v);
		/* cut with a consistent size field and checksum */
		memcpy(b, orig, len);
		if (l >= 14) {
			b[10] = (uint8_t)(l >> 8);
			b[11] = (uint8_t)l;
			ref_fix(b, l);
		}
		sweep_one(b, l, &st);
	}
	free(b);
	OK(st.failures == 0 && trunc_bad == 0,
	    "%s: %lu flips/cuts parsed, %lu accepted, all rebuild",
	    name, st.parsed, st.accepted);
	if (st.failures != 0 || trunc_bad != 0)
		tap_diag("%lu round-trip failures, %lu truncations accepted",
		    st.failures, trunc_bad);
}

static void
test_sweep(const char *srcdir)
{
	char path[1024], err[256], name[300];
	struct tpcap cap;
	struct dirent *de;
	size_t i, len, l;
	DIR *d;

	for (i = 0; i < NGOOD; i++) {
		const uint8_t *b = good_bytes(good[i].name, &len);

		sweep(good[i].name, b, len);
	}
	snprintf(path, sizeof(path), "%s/tests/data/captures", srcdir);
	if (!OK((d = opendir(path)) != NULL, "open %s", path))
		return;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/tests/data/captures/%s",
		    srcdir, de->d_name);
		if (!OK(tpcap_read(path, &cap, err, sizeof(err)) == 0, "%s",
		    err))
			continue;
		for (i = 0; i < cap.n; i++) {
			snprintf(name, sizeof(name), "%s #%u", de->d_name,
			    cap.pkt[i].frame);
			sweep(name, cap.pkt[i].data, cap.pkt[i].len);
		}
		tpcap_free(&cap);
	}
	closedir(d);
}

int
main(void)
{
	const char *srcdir;

	if ((srcdir = getenv("top_srcdir")) == NULL)
		srcdir = ".";
	test_checksum();
	test_good();
	test_bad();
	test_lenient();
	test_build();
	test_names();
	test_nomem();
	test_sweep(srcdir);
	return tap_done();
}
