/*
 * tshark_gen.c - writes packets built by the codec to a pcap (linktype
 * 113, SLL hatype 778, protocol 0x2001) for the Wireshark cross-check
 * (tshark-check.sh).  One frame per case, in this order:
 *
 *  1 Resolution Request	5 Purge Request		 9 Error Indication + auth
 *  2 Resolution Reply	6 Purge Reply		10 Registration Request, vendor
 *  3 Registration Request	7 Error Indication	   private extension
 *  4 Registration Reply	8 Traffic Indication
 *
 * usage: tshark_gen OUT.pcap
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnhrp/packet.h"
#include "tests/codec/pcap.h"

static FILE *out;
static unsigned seq;
static uint8_t last[2048];
static size_t last_len;

static void
ip(struct nhrp_addr *a, const char *s)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		exit(1);
	}
	nhrp_addr_set_ipv4(a, in.s_addr);
}

static struct nhrp_cie *
cie(struct nhrp_cie_list *l, uint8_t code, uint8_t pfx, uint16_t mtu,
    uint16_t hold, const char *nbma, const char *proto)
{
	struct nhrp_cie *c;

	if ((c = nhrp_cie_list_add(l)) == NULL)
		exit(1);
	c->code = code;
	c->prefix_len = pfx;
	c->mtu = mtu;
	c->holding_time = hold;
	if (nbma != NULL)
		ip(&c->nbma, nbma);
	if (proto != NULL)
		ip(&c->proto, proto);
	return c;
}

static struct nhrp_ext *
ext(struct nhrp_packet *p, uint16_t type, bool c)
{
	struct nhrp_ext *e;

	if ((e = nhrp_packet_ext_add(p, type, c)) == NULL)
		exit(1);
	return e;
}

static void
base(struct nhrp_packet *p, uint8_t type, uint16_t flags, uint32_t id,
    const char *snbma, const char *sproto, const char *dproto)
{
	nhrp_packet_init(p, type);
	p->flags = flags;
	p->request_id = id;
	ip(&p->src_nbma, snbma);
	ip(&p->src_proto, sproto);
	ip(&p->dst_proto, dproto);
}

static void
emit(struct nhrp_packet *p)
{
	ssize_t n;

	n = nhrp_packet_build(p, last, sizeof(last));
	if (n < 0) {
		fprintf(stderr, "build %s: %s\n", nhrp_packet_type_name(p->type),
		    nhrp_codec_strerror((int)n));
		exit(1);
	}
	last_len = (size_t)n;
	if (tpcap_write_nhrp(out, ++seq, last, last_len) < 0) {
		perror("write");
		exit(1);
	}
	nhrp_packet_clear(p);
}

static void
auth(struct nhrp_packet *p, const char *secret)
{
	uint8_t tok[64];
	size_t l = strlen(secret);

	memcpy(tok, "\0\0\0\001", 4);
	memcpy(tok + 4, secret, l);
	if (nhrp_ext_set_raw(ext(p, NHRP_EXT_AUTH, true), tok, 4 + l) < 0)
		exit(1);
}

int
main(int argc, char **argv)
{
	struct nhrp_packet p;
	struct nhrp_ext *e;
	uint8_t resreq[2048], ippkt[68];
	size_t resreq_len, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.pcap\n", argv[0]);
		return 2;
	}
	if ((out = fopen(argv[1], "wb")) == NULL || tpcap_write_header(out)) {
		perror(argv[1]);
		return 1;
	}

	/* 1 Resolution Request */
	base(&p, NHRP_RESOLUTION_REQUEST, 0xc002, 0x11223344, "198.51.100.2",
	    "10.255.255.2", "192.168.3.10");
	cie(&p.cies, 0, 0, 0, 30, NULL, NULL);
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	ext(&p, NHRP_EXT_RESPONDER, true);
	ext(&p, NHRP_EXT_NAT_ADDRESS, false);
	emit(&p);
	memcpy(resreq, last, last_len);
	resreq_len = last_len;

	/* 2 Resolution Reply, forwarded once */
	base(&p, NHRP_RESOLUTION_REPLY, 0xe002, 0x11223344, "198.51.100.2",
	    "10.255.255.2", "192.168.3.10");
	p.hop_count = 15;
	cie(&p.cies, 0, 24, 1400, 7200, "198.51.100.3", "10.255.255.3");
	e = ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	cie(&e->cies, 0, 0, 0, 30, "198.51.100.1", "10.255.255.1");
	e = ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	cie(&e->cies, 0, 0, 0, 30, "198.51.100.1", "10.255.255.1");
	e = ext(&p, NHRP_EXT_RESPONDER, true);
	cie(&e->cies, 0, 0, 0, 30, "198.51.100.3", "10.255.255.3");
	e = ext(&p, NHRP_EXT_NAT_ADDRESS, false);
	cie(&e->cies, 0, 0, 0, 0, "198.51.100.10", "10.255.255.3");
	emit(&p);

	/* 3 Registration Request with NAT CIE and authentication */
	base(&p, NHRP_REGISTRATION_REQUEST, 0x8002, 1, "198.51.100.2",
	    "10.255.255.2", "10.255.255.1");
	cie(&p.cies, 0, 255, 0, 7200, NULL, NULL);
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	ext(&p, NHRP_EXT_RESPONDER, true);
	e = ext(&p, NHRP_EXT_NAT_ADDRESS, false);
	cie(&e->cies, 0, 32, 0, 0, "198.51.100.1", "10.255.255.1");
	auth(&p, "secret7");
	emit(&p);

	/* 4 Registration Reply: code 14 */
	base(&p, NHRP_REGISTRATION_REPLY, 0x8002, 1, "198.51.100.2",
	    "10.255.255.2", "10.255.255.1");
	cie(&p.cies, NHRP_CODE_UNIQUE_ADDRESS_REGISTERED, 255, 0, 7200, NULL,
	    NULL);
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	e = ext(&p, NHRP_EXT_RESPONDER, true);
	cie(&e->cies, 0, 0, 0, 7200, "198.51.100.1", "10.255.255.1");
	e = ext(&p, NHRP_EXT_NAT_ADDRESS, false);
	cie(&e->cies, 0, 32, 0, 0, "198.51.100.1", "10.255.255.1");
	cie(&e->cies, 0, 0, 0, 0, "198.51.100.10", "10.255.255.2");
	auth(&p, "secret78");
	emit(&p);

	/* 5 Purge Request, no reply wanted */
	base(&p, NHRP_PURGE_REQUEST, NHRP_FLAG_PURGE_N, 2, "198.51.100.2",
	    "10.255.255.2", "10.255.255.1");
	cie(&p.cies, 0, 24, 0, 0, NULL, "192.168.2.0");
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	ext(&p, NHRP_EXT_RESPONDER, true);
	emit(&p);

	/* 6 Purge Reply */
	base(&p, NHRP_PURGE_REPLY, 0, 2, "198.51.100.2", "10.255.255.2",
	    "10.255.255.1");
	cie(&p.cies, 0, 24, 0, 0, NULL, "192.168.2.0");
	cie(&p.cies, 0, 32, 0, 0, "198.51.100.2", "192.168.2.1");
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	e = ext(&p, NHRP_EXT_RESPONDER, true);
	cie(&e->cies, 0, 0, 0, 30, "198.51.100.1", "10.255.255.1");
	emit(&p);

	/* 7 Error Indication: Protocol Address Unreachable about frame 1 */
	base(&p, NHRP_ERROR_INDICATION, 0xc002, 0, "198.51.100.1",
	    "10.255.255.1", "10.255.255.2");
	p.hop_count = 1;
	p.error_code = NHRP_ERR_PROTOCOL_UNREACHABLE;
	if ((p.payload = malloc(resreq_len)) == NULL)
		return 1;
	memcpy(p.payload, resreq, resreq_len);
	p.payload_len = resreq_len;
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	p.trailer_len = NHRP_EI_PADDING;
	emit(&p);

	/* 8 Traffic Indication about 192.168.2.10 -> 192.168.3.10 */
	base(&p, NHRP_TRAFFIC_INDICATION, 0, 0, "198.51.100.1",
	    "10.255.255.1", "192.168.2.10");
	p.hop_count = 1;
	memset(ippkt, 0, sizeof(ippkt));
	memcpy(ippkt, "\x45\x00\x00\x54\x12\x34\x40\x00\x3f\x01\x00\x00"
	    "\xc0\xa8\x02\x0a\xc0\xa8\x03\x0a", 20);
	ippkt[20] = 8;				/* ICMP echo request */
	for (i = 28; i < sizeof(ippkt); i++)
		ippkt[i] = (uint8_t)i;
	if ((p.payload = malloc(sizeof(ippkt))) == NULL)
		return 1;
	memcpy(p.payload, ippkt, sizeof(ippkt));
	p.payload_len = sizeof(ippkt);
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	emit(&p);

	/* 9 Error Indication: Authentication Failure, with our token */
	base(&p, NHRP_ERROR_INDICATION, 0xc002, 0, "198.51.100.1",
	    "10.255.255.1", "10.255.255.2");
	p.hop_count = 1;
	p.error_code = NHRP_ERR_AUTH_FAILURE;
	if ((p.payload = malloc(resreq_len)) == NULL)
		return 1;
	memcpy(p.payload, resreq, resreq_len);
	p.payload_len = resreq_len;
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	auth(&p, "secret78");
	p.trailer_len = NHRP_EI_PADDING;
	emit(&p);

	/* 10 Registration Request with a vendor-private extension */
	base(&p, NHRP_REGISTRATION_REQUEST, 0x0002, 7, "198.51.100.3",
	    "10.255.255.3", "10.255.255.1");
	p.hop_count = 1;
	cie(&p.cies, 0, 32, 1400, 60, NULL, NULL);
	ext(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	ext(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	ext(&p, NHRP_EXT_RESPONDER, true);
	if (nhrp_ext_set_raw(ext(&p, NHRP_EXT_VENDOR, false),
	    "\x00\x00\x0c\x01\x02", 5) < 0)
		return 1;
	emit(&p);

	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
