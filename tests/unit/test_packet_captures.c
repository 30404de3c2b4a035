/*
 * test_packet_captures.c - every NHRP packet in the real captures
 * (tests/data/captures, every .pcap) parses, matches the independently made
 * SUMMARY.txt line for its frame field by field, and re-encodes byte-exact.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnhrp/packet.h"
#include "tests/tap.h"
#include "tests/codec/pcap.h"

static const char *srcdir;

/* ---- SUMMARY.txt ------------------------------------------------------- */

struct sumline {
	char	file[128];
	unsigned frame;
	char	*text;
};

static struct sumline *sum;
static size_t nsum;

static void
load_summary(void)
{
	char path[1024], line[8192], file[128] = "";
	FILE *f;
	unsigned frame;

	snprintf(path, sizeof(path), "%s/tests/data/captures/SUMMARY.txt",
	    srcdir);
	if ((f = fopen(path, "r")) == NULL) {
		OK(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "## ", 3) == 0) {
			snprintf(file, sizeof(file), "%.120s", line + 3);
			continue;
		}
		if (sscanf(line, "#%u", &frame) != 1)
			continue;
		sum = realloc(sum, (nsum + 1) * sizeof(*sum));
		if (sum == NULL)
			exit(99);
		snprintf(sum[nsum].file, sizeof(sum[nsum].file), "%s", file);
		sum[nsum].frame = frame;
		sum[nsum].text = strdup(line);
		nsum++;
	}
	fclose(f);
}

static const char *
find_summary(const char *file, unsigned frame)
{
	size_t i;

	for (i = 0; i < nsum; i++)
		if (sum[i].frame == frame && strcmp(sum[i].file, file) == 0)
			return sum[i].text;
	return NULL;
}

/* Value after " key=" in s (or at the start of s). */
static const char *
field(const char *s, const char *key)
{
	size_t kl = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == s || p[-1] == ' ' || p[-1] == '{') && p[kl] == '=')
			return p + kl + 1;
		p += kl;
	}
	return NULL;
}

static long
num(const char *s, const char *key)
{
	const char *v = field(s, key);

	return v == NULL ? -1 : strtol(v, NULL, 0);
}

/* Compares "a.b.c.d" or "-" (absent) at s with an address. */
static int
addr_text_eq(const char *s, const struct nhrp_addr *a)
{
	char buf[64], fmt[NHRP_ADDRSTRLEN];
	size_t n = strcspn(s, " /}]");

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "-") == 0)
		return a->len == 0;
	if (a->len != 4)
		return 0;
	inet_ntop(AF_INET, a->addr, fmt, sizeof(fmt));
	return strcmp(buf, fmt) == 0;
}

/* Compares "{code=.. pfx=.. ...}" at s with c; returns the end or NULL. */
static const char *
cie_text_eq(const char *s, const struct nhrp_cie *c)
{
	const char *end = strchr(s, '}');
	char one[512];
	size_t n;

	if (*s != '{' || end == NULL || (n = (size_t)(end - s)) >= sizeof(one))
		return NULL;
	memcpy(one, s, n);
	one[n] = '\0';
	if (num(one, "code") != c->code || num(one, "pfx") != c->prefix_len ||
	    num(one, "mtu") != c->mtu || num(one, "hold") != c->holding_time ||
	    num(one, "pref") != c->preference ||
	    !addr_text_eq(field(one, "nbma"), &c->nbma) ||
	    !addr_text_eq(field(one, "proto"), &c->proto) ||
	    c->nbma_sub.len != 0)
		return NULL;
	return end + 1;
}

/* "{..} {..}" or "none" against a CIE list. */
static int
cies_text_eq(const char *s, const struct nhrp_cie_list *l)
{
	size_t i;

	if (strncmp(s, "none", 4) == 0)
		return l->n == 0;
	for (i = 0; i < l->n; i++) {
		if (i != 0 && *s++ != ' ')
			return 0;
		if ((s = cie_text_eq(s, &l->cie[i])) == NULL)
			return 0;
	}
	return *s == ' ' || *s == ']' || *s == '\0';
}

static int
ext_name_type(const char *name, size_t n)
{
	static const struct {
		const char *name;
		int type;
	} t[] = {
		{ "End", NHRP_EXT_END }, { "Responder", NHRP_EXT_RESPONDER },
		{ "FwdTransit", NHRP_EXT_FORWARD_TRANSIT },
		{ "RevTransit", NHRP_EXT_REVERSE_TRANSIT },
		{ "Auth", NHRP_EXT_AUTH }, { "CiscoNAT", NHRP_EXT_NAT_ADDRESS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == n && memcmp(t[i].name, name, n) == 0)
			return t[i].type;
	return -1;
}

/* "C:FwdTransit,CiscoNAT[{..}],C:Auth[hex],C:End" against pkt->ext. */
static int
exts_text_eq(const char *s, const struct nhrp_packet *pkt, char *why,
    size_t wl)
{
	const struct nhrp_ext *e;
	size_t i = 0, n;
	int comp, type;

	for (;;) {
		comp = strncmp(s, "C:", 2) == 0;
		if (comp)
			s += 2;
		n = strcspn(s, "[, ");
		if ((type = ext_name_type(s, n)) < 0) {
			snprintf(why, wl, "unknown name %.*s", (int)n, s);
			return 0;
		}
		s += n;
		if (type == NHRP_EXT_END) {
			if (!comp || i != pkt->next || !pkt->has_end) {
				snprintf(why, wl, "End at %zu of %zu", i,
				    pkt->next);
				return 0;
			}
			return 1;
		}
		if (i >= pkt->next) {
			snprintf(why, wl, "too few extensions");
			return 0;
		}
		e = &pkt->ext[i];
		if (e->type != type || e->compulsory != comp) {
			snprintf(why, wl, "ext %zu: type %u c %d", i, e->type,
			    e->compulsory);
			return 0;
		}
		if (*s == '[') {
			s++;
			if (type == NHRP_EXT_AUTH) {
				char hex[3];
				size_t k;

				for (k = 0; k < e->raw_len; k++) {
					snprintf(hex, sizeof(hex), "%02x",
					    e->raw[k]);
					if (strncmp(s + 2 * k, hex, 2) != 0) {
						snprintf(why, wl, "auth bytes");
						return 0;
					}
				}
				s += 2 * e->raw_len;
			} else if (!cies_text_eq(s, &e->cies)) {
				snprintf(why, wl, "ext %zu CIEs", i);
				return 0;
			}
			if ((s = strchr(s, ']')) == NULL)
				return 0;
			s++;
		} else if (e->cies.n != 0 || e->raw_len != 0) {
			snprintf(why, wl, "ext %zu not empty", i);
			return 0;
		}
		if (*s != ',')
			return 0;
		s++;
		i++;
	}
}

static const char *const type_tag[] = {
	NULL, "ResReq", "ResRep", "RegReq", "RegRep", "PurgeReq", "PurgeRep",
	"ErrInd", "TrafficInd",
};

/* Compares a parsed packet with its SUMMARY.txt line. */
static int
summary_eq(const char *line, const struct nhrp_packet *pkt,
    const uint8_t *raw, char *why, size_t wl)
{
	const char *v;
	char tag[32];
	size_t tl;

	snprintf(tag, sizeof(tag), " %s ", type_tag[pkt->type]);
	if (strstr(line, tag) == NULL) {
		snprintf(why, wl, "type %u", pkt->type);
		return 0;
	}
#define CHECK(key, val) do {						\
	if (num(line, key) != (long)(val)) {				\
		snprintf(why, wl, "%s: %ld != %ld", key, num(line, key),\
		    (long)(val));					\
		return 0;						\
	}								\
} while (0)
	CHECK("hop", pkt->hop_count);
	CHECK("size", (raw[10] << 8) | raw[11]);
	CHECK("cksum", (raw[12] << 8) | raw[13]);
	CHECK("extoff", (raw[14] << 8) | raw[15]);
	CHECK("ver", pkt->version);
	CHECK("afn", pkt->afn);
	CHECK("pro", pkt->pro_type);
	CHECK("flags", pkt->flags);
	if (pkt->type == NHRP_ERROR_INDICATION) {
		CHECK("code", pkt->error_code);
		CHECK("offset", pkt->error_offset);
		CHECK("payload", pkt->payload_len);
	} else if (pkt->type == NHRP_TRAFFIC_INDICATION) {
		CHECK("id", pkt->request_id);
		CHECK("tcode", pkt->request_id >> 16);
		CHECK("payload", pkt->payload_len);
	} else {
		if ((unsigned long)strtoul(field(line, "id"), NULL, 0) !=
		    pkt->request_id) {
			snprintf(why, wl, "request id");
			return 0;
		}
		if ((v = field(line, "cies")) == NULL ||
		    !cies_text_eq(v, &pkt->cies)) {
			snprintf(why, wl, "CIEs");
			return 0;
		}
	}
#undef CHECK
	if ((v = field(line, "src")) == NULL ||
	    !addr_text_eq(v, &pkt->src_nbma) ||
	    (v = strchr(v, '/')) == NULL ||
	    !addr_text_eq(v + 1, &pkt->src_proto) ||
	    (v = field(line, "dst")) == NULL ||
	    !addr_text_eq(v, &pkt->dst_proto)) {
		snprintf(why, wl, "addresses");
		return 0;
	}
	if ((v = field(line, "exts")) == NULL ||
	    !exts_text_eq(v, pkt, why, wl))
		return 0;
	tl = (v = field(line, "trailing")) != NULL ? strtoul(v, NULL, 10) : 0;
	if (tl != pkt->trailer_len) {
		snprintf(why, wl, "trailer %zu", pkt->trailer_len);
		return 0;
	}
	return strstr(line, " ok ") != NULL;
}

/* ---- per-file checks ----------------------------------------------------- */

static unsigned total_pkts, total_summary;

static void
check_embedded(const char *name, unsigned frame, const struct nhrp_packet *ei)
{
	struct nhrp_packet inner, hdr;
	uint8_t out[2048];
	ssize_t n;
	int r;

	r = nhrp_packet_parse(ei->payload, ei->payload_len, &inner, NULL);
	INT_EQ(r, 0, "%s #%u: embedded packet parses", name, frame);
	if (r == 0) {
		n = nhrp_packet_build(&inner, out, sizeof(out));
		MEM_EQ(out, n > 0 ? (size_t)n : 0, ei->payload,
		    ei->payload_len, "%s #%u: embedded packet re-encodes",
		    name, frame);
	}
	r = nhrp_packet_parse_header_only(ei->payload, ei->payload_len, &hdr);
	INT_EQ(r, 0, "%s #%u: embedded header parses", name, frame);
	OK(r == 0 && hdr.request_id == inner.request_id &&
	    hdr.type == inner.type &&
	    nhrp_addr_equal(&hdr.src_nbma, &inner.src_nbma) &&
	    nhrp_addr_equal(&hdr.src_proto, &inner.src_proto),
	    "%s #%u: header-only fields match", name, frame);
	/* The lenient parse also works on a cut embedded packet. */
	r = nhrp_packet_parse_header_only(ei->payload, 40, &hdr);
	OK(r == 0 && hdr.request_id == inner.request_id,
	    "%s #%u: header-only on 40 bytes", name, frame);
	nhrp_packet_clear(&inner);
}

static void
check_file(const char *name)
{
	char path[1024], err[256], why[256];
	struct tpcap cap;
	struct nhrp_packet pkt;
	struct nhrp_parse_info info;
	uint8_t out[70000];
	const char *line;
	size_t i, size;
	ssize_t n;
	int r, s3c;

	snprintf(path, sizeof(path), "%s/tests/data/captures/%s", srcdir, name);
	if (!OK(tpcap_read(path, &cap, err, sizeof(err)) == 0, "read %s: %s",
	    name, err))
		return;
	OK(cap.n > 0, "%s: %zu NHRP packets in %u frames", name, cap.n,
	    cap.frames);
	s3c = strncmp(name, "s3c-", 4) == 0;
	for (i = 0; i < cap.n; i++) {
		const struct tpcap_pkt *p = &cap.pkt[i];

		total_pkts++;
		r = nhrp_packet_parse(p->data, p->len, &pkt, &info);
		if (s3c && p->frame == 2) {
			INT_EQ(r, -NHRP_E_CHECKSUM,
			    "%s #%u: wrong odd checksum rejected", name,
			    p->frame);
			INT_EQ(info.error_offset, 12, "error offset 12");
			continue;
		}
		if (!OK(r == 0, "%s #%u parses (%s)", name, p->frame,
		    nhrp_codec_strerror(r)))
			continue;
		size = ((size_t)p->data[10] << 8) | p->data[11];
		n = nhrp_packet_build(&pkt, out, sizeof(out));
		if (s3c && p->frame == 1) {
			/* One non-zero byte after End: kept as a zero byte. */
			INT_EQ(pkt.trailer_len, 1, "%s #1: trailer 1", name);
			INT_EQ(p->data[60], 0x01, "%s #1: byte after End", name);
			INT_EQ(n, 61, "%s #1: rebuilt size", name);
			OK(n == 61 && memcmp(out, p->data, 12) == 0 &&
			    memcmp(out + 14, p->data + 14, 46) == 0 &&
			    out[60] == 0, "%s #1: rebuilt with zero trailer",
			    name);
		} else
			MEM_EQ(out, n > 0 ? (size_t)n : 0, p->data, size,
			    "%s #%u re-encodes byte-exact", name, p->frame);
		line = find_summary(name, p->frame);
		if (OK(line != NULL, "%s #%u in SUMMARY.txt", name, p->frame)) {
			why[0] = '\0';
			OK(summary_eq(line, &pkt, p->data, why, sizeof(why)),
			    "%s #%u matches SUMMARY.txt %s", name, p->frame,
			    why);
			total_summary++;
		}
		if (pkt.type == NHRP_ERROR_INDICATION)
			check_embedded(name, p->frame, &pkt);
		nhrp_packet_clear(&pkt);
	}
	tpcap_free(&cap);
}

/* ---- specific facts ------------------------------------------------------ */

static int
load_one(const char *name, unsigned frame, struct nhrp_packet *pkt,
    uint8_t *raw, size_t *rawlen)
{
	char path[1024], err[256];
	struct tpcap cap;
	size_t i;
	int r = -1;

	snprintf(path, sizeof(path), "%s/tests/data/captures/%s", srcdir, name);
	if (tpcap_read(path, &cap, err, sizeof(err)) < 0)
		return -1;
	for (i = 0; i < cap.n; i++) {
		if (cap.pkt[i].frame != frame)
			continue;
		memcpy(raw, cap.pkt[i].data, cap.pkt[i].len);
		*rawlen = cap.pkt[i].len;
		r = nhrp_packet_parse(raw, *rawlen, pkt, NULL);
	}
	tpcap_free(&cap);
	return r;
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int
is_ip(const struct nhrp_addr *a, uint16_t afn, const char *s)
{
	struct nhrp_addr b;

	nhrp_addr_set_ipv4(&b, ip(s));
	return a->afn == afn && a->len == 4 && memcmp(a->addr, b.addr, 4) == 0;
}

static void
check_facts(void)
{
	static const uint8_t auth7[] = {
		0x80, 0x07, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x01,
		0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x37,
	};
	struct nhrp_packet pkt, hdr;
	const struct nhrp_ext *e;
	uint8_t raw[4096], zero[16];
	size_t len, i;
	int found;

	/* s1 RegReq: flags, hop, CIE prefix 255, extension order, NAT CIE */
	if (OK(load_one("s1-registration-hub-gre1.pcap", 1, &pkt, raw,
	    &len) == 0, "s1 #1 loads")) {
		INT_EQ(pkt.type, NHRP_REGISTRATION_REQUEST, "s1 #1 RegReq");
		INT_EQ(pkt.flags, NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT,
		    "s1 #1 flags 0x8002");
		INT_EQ(pkt.hop_count, 16, "s1 #1 hop 16");
		INT_EQ(pkt.request_id, 1, "s1 #1 id 1");
		OK(is_ip(&pkt.src_nbma, NHRP_AFN_IPV4, "198.51.100.2") &&
		    is_ip(&pkt.src_proto, NHRP_AFN_IPV4, "10.255.255.2") &&
		    is_ip(&pkt.dst_proto, NHRP_AFN_IPV4, "10.255.255.1"),
		    "s1 #1 addresses");
		OK(pkt.cies.n == 1 && pkt.cies.cie[0].prefix_len == 255 &&
		    pkt.cies.cie[0].holding_time == 15 &&
		    pkt.cies.cie[0].nbma.len == 0 &&
		    pkt.cies.cie[0].proto.len == 0, "s1 #1 CIE prefix 255");
		OK(pkt.next == 4 && pkt.ext[0].type == 4 &&
		    pkt.ext[1].type == 5 && pkt.ext[2].type == 3 &&
		    pkt.ext[3].type == 9 && pkt.ext[0].compulsory &&
		    !pkt.ext[3].compulsory && pkt.has_end,
		    "s1 #1 extension order 4,5,3,9,End");
		e = nhrp_packet_ext_find_const(&pkt, NHRP_EXT_NAT_ADDRESS);
		OK(e != NULL && e->is_cie_list && e->cies.n == 1 &&
		    e->cies.cie[0].prefix_len == 32 &&
		    is_ip(&e->cies.cie[0].nbma, NHRP_AFN_IPV4,
		    "198.51.100.1") &&
		    is_ip(&e->cies.cie[0].proto, NHRP_AFN_IPV4,
		    "10.255.255.1"), "s1 #1 NAT CIE");
		MEM_EQ(raw + len - 4, 4, "\x80\x00\x00\x00", 4,
		    "s1 #1 ends with End 80 00 00 00");
		nhrp_packet_clear(&pkt);
	}
	/* s1b: cisco request id bytes */
	if (OK(load_one("s1b-cisco-reqid-hub-gre1.pcap", 1, &pkt, raw,
	    &len) == 0, "s1b #1 loads")) {
		INT_EQ(pkt.request_id, 0xefe8667c, "s1b request id");
		MEM_EQ(raw + 24, 4, "\xef\xe8\x66\x7c", 4, "s1b id bytes");
		nhrp_packet_clear(&pkt);
	}
	/* s3 odd secret: auth bytes on the wire, odd size, checksum ok */
	if (OK(load_one("s3-auth-odd-secret7-hub-gre1.pcap", 1, &pkt, raw,
	    &len) == 0, "s3 odd #1 loads")) {
		INT_EQ(len, 107, "s3 odd RegReq 107 bytes");
		found = 0;
		for (i = 0; i + sizeof(auth7) <= len; i++)
			if (memcmp(raw + i, auth7, sizeof(auth7)) == 0)
				found = 1;
		OK(found, "s3 auth bytes 80 07 00 0b 00 00 00 01 secret7");
		e = nhrp_packet_ext_find_const(&pkt, NHRP_EXT_AUTH);
		OK(e != NULL && e->compulsory && !e->is_cie_list &&
		    e->raw_len == 11 &&
		    memcmp(e->raw, "\0\0\0\001secret7", 11) == 0,
		    "s3 auth extension raw payload");
		OK(pkt.next == 5 && pkt.ext[4].type == NHRP_EXT_AUTH,
		    "s3 auth right before End");
		INT_EQ(nhrp_checksum(raw, len), 0, "s3 odd checksum sums to 0");
		nhrp_packet_clear(&pkt);
	}
	/* s4a: Error Indication with 16 zero bytes after End */
	if (OK(load_one("s4a-autherr-by-spoke-hub-gre1.pcap", 3, &pkt, raw,
	    &len) == 0, "s4a #3 loads")) {
		INT_EQ(pkt.type, NHRP_ERROR_INDICATION, "s4a EI");
		INT_EQ(pkt.hop_count, 0, "s4a hop 0");
		INT_EQ(pkt.error_code, NHRP_ERR_AUTH_FAILURE, "s4a code 11");
		INT_EQ(pkt.error_offset, 0, "s4a offset 0");
		INT_EQ(pkt.flags, 0x8002, "s4a unused field copied");
		INT_EQ(pkt.payload_len, 112, "s4a payload 112");
		INT_EQ(pkt.trailer_len, NHRP_EI_PADDING, "s4a 16 bytes padding");
		INT_EQ(len, 192, "s4a size 192");
		memset(zero, 0, sizeof(zero));
		MEM_EQ(raw + len - 16, 16, zero, 16, "s4a padding is zero");
		MEM_EQ(raw + len - 20, 4, "\x80\x00\x00\x00", 4,
		    "s4a End before padding");
		OK(nhrp_packet_parse_header_only(pkt.payload, pkt.payload_len,
		    &hdr) == 0 && hdr.type == NHRP_REGISTRATION_REPLY &&
		    hdr.request_id == 1 &&
		    is_ip(&hdr.src_nbma, NHRP_AFN_IPV4, "198.51.100.2") &&
		    is_ip(&hdr.src_proto, NHRP_AFN_IPV4, "10.255.255.2"),
		    "s4a embedded RegRep id 1 from 198.51.100.2/10.255.255.2");
		nhrp_packet_clear(&pkt);
	}
	/* s2: Traffic Indication */
	if (OK(load_one("s2-shortcut-hub-gre1.pcap", 13, &pkt, raw,
	    &len) == 0, "s2 #13 loads")) {
		INT_EQ(pkt.type, NHRP_TRAFFIC_INDICATION, "s2 TI");
		INT_EQ(pkt.hop_count, 0, "s2 TI hop 0");
		INT_EQ(pkt.request_id, 0, "s2 TI traffic code 0");
		INT_EQ(pkt.payload_len, 68, "s2 TI 68 payload bytes");
		OK(pkt.payload_len == 68 && pkt.payload[0] == 0x45,
		    "s2 TI payload is an IPv4 header");
		OK(is_ip(&pkt.dst_proto, NHRP_AFN_IPV4, "192.168.2.10"),
		    "s2 TI dst = inner source");
		nhrp_packet_clear(&pkt);
	}
	/* s5: NAT extension with two CIEs */
	if (OK(load_one("s5-nat-spoke1-eth0.pcap", 2, &pkt, raw,
	    &len) == 0, "s5 #2 loads")) {
		e = nhrp_packet_ext_find_const(&pkt, NHRP_EXT_NAT_ADDRESS);
		OK(e != NULL && e->cies.n == 2 &&
		    e->cies.cie[1].prefix_len == 0 &&
		    is_ip(&e->cies.cie[1].nbma, NHRP_AFN_IPV4,
		    "198.51.100.10") &&
		    is_ip(&e->cies.cie[1].proto, NHRP_AFN_IPV4,
		    "10.255.255.2"), "s5 NAT ext second CIE");
		nhrp_packet_clear(&pkt);
	}
	/* s6a: FRR registration */
	if (OK(load_one("s6a-frr-frr-hub-gre1.pcap", 1, &pkt, raw,
	    &len) == 0, "s6a #1 loads")) {
		INT_EQ(pkt.hop_count, 1, "FRR hop 1");
		INT_EQ(pkt.flags, NHRP_FLAG_CISCO_NAT, "FRR flags 0x0002");
		OK(is_ip(&pkt.dst_proto, NHRP_AFN_IPV4, "10.255.255.2"),
		    "FRR dst = own address");
		OK(pkt.cies.n == 1 && pkt.cies.cie[0].prefix_len == 32 &&
		    pkt.cies.cie[0].holding_time == 60, "FRR CIE /32 hold 60");
		e = nhrp_packet_ext_find_const(&pkt, NHRP_EXT_NAT_ADDRESS);
		OK(e != NULL && e->cies.n == 1 &&
		    e->cies.cie[0].proto.len == 4 &&
		    nhrp_addr_is_unspec(&e->cies.cie[0].proto),
		    "FRR NAT CIE proto 0.0.0.0");
		nhrp_packet_clear(&pkt);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	char path[1024], *names[256];
	struct dirent *de;
	size_t i, n = 0, l;
	DIR *d;

	if ((srcdir = getenv("top_srcdir")) == NULL)
		srcdir = ".";
	load_summary();
	snprintf(path, sizeof(path), "%s/tests/data/captures", srcdir);
	if (!OK((d = opendir(path)) != NULL, "open %s", path))
		return tap_done();
	while ((de = readdir(d)) != NULL && n < 256) {
		l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".pcap") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	OK(n == 24, "24 capture files (%zu)", n);
	for (i = 0; i < n; i++) {
		check_file(names[i]);
		free(names[i]);
	}
	OK(total_pkts >= 180, "%u NHRP packets checked", total_pkts);
	INT_EQ(total_summary, total_pkts - 1,
	    "every parsed packet compared with SUMMARY.txt");
	INT_EQ(nsum, total_pkts, "SUMMARY.txt lines = packets");
	check_facts();
	for (i = 0; i < nsum; i++)
		free(sum[i].text);
	free(sum);
	return tap_done();
}
