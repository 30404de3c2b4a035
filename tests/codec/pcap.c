/*
 * pcap.c - a tiny classic-libpcap reader and writer for the codec tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_LINUX_SLL	113
#define SLL_HDR_LEN		16
#define ARPHRD_IPGRE		778
#define NHRP_ETHERTYPE		0x2001

static uint32_t
rd32(const uint8_t *p, int swap)
{
	if (swap)
		return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
		    ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Finds the NHRP packet inside one captured frame; 0 when there is one. */
static int
frame_nhrp(uint32_t linktype, const uint8_t *p, size_t len, size_t *off)
{
	size_t ihl, o;
	uint16_t gflags;

	if (linktype == LINKTYPE_LINUX_SLL) {
		if (len < SLL_HDR_LEN || be16(p + 14) != NHRP_ETHERTYPE)
			return -1;
		*off = SLL_HDR_LEN;
		return 0;
	}
	if (linktype != LINKTYPE_ETHERNET || len < 14 ||
	    be16(p + 12) != 0x0800)
		return -1;
	o = 14;
	if (len < o + 20 || (p[o] >> 4) != 4)
		return -1;
	ihl = (size_t)(p[o] & 0x0f) * 4;
	if (ihl < 20 || len < o + ihl || p[o + 9] != 47)
		return -1;
	o += ihl;
	if (len < o + 4)
		return -1;
	gflags = be16(p + o);
	if (be16(p + o + 2) != NHRP_ETHERTYPE)
		return -1;
	o += 4;
	if (gflags & 0x8000)	/* checksum + reserved */
		o += 4;
	if (gflags & 0x2000)	/* key */
		o += 4;
	if (gflags & 0x1000)	/* sequence number */
		o += 4;
	if (len < o)
		return -1;
	*off = o;
	return 0;
}

int
tpcap_read(const char *path, struct tpcap *cap, char *err, size_t errlen)
{
	FILE *f;
	uint8_t gh[24], rh[16], *frame = NULL;
	struct tpcap_pkt *np;
	uint32_t magic, incl;
	size_t off;
	int swap;

	memset(cap, 0, sizeof(*cap));
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	if (fread(gh, 1, sizeof(gh), f) != sizeof(gh)) {
		snprintf(err, errlen, "%s: short global header", path);
		goto fail;
	}
	magic = rd32(gh, 0);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = 0;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = 1;
	else {
		snprintf(err, errlen, "%s: not a classic pcap file", path);
		goto fail;
	}
	cap->linktype = rd32(gh + 20, swap);
	for (;;) {
		size_t got = fread(rh, 1, sizeof(rh), f);

		if (got == 0)
			break;
		if (got != sizeof(rh)) {
			snprintf(err, errlen, "%s: short record header", path);
			goto fail;
		}
		incl = rd32(rh + 8, swap);
		if (incl > 262144) {
			snprintf(err, errlen, "%s: bad record length", path);
			goto fail;
		}
		if ((frame = malloc(incl ? incl : 1)) == NULL ||
		    fread(frame, 1, incl, f) != incl) {
			snprintf(err, errlen, "%s: short record", path);
			goto fail;
		}
		cap->frames++;
		if (frame_nhrp(cap->linktype, frame, incl, &off) == 0) {
			np = realloc(cap->pkt, (cap->n + 1) * sizeof(*np));
			if (np == NULL)
				goto fail;
			cap->pkt = np;
			np = &cap->pkt[cap->n];
			np->frame = cap->frames;
			np->len = incl - off;
			/* exact-size copy, so ASan sees any overread */
			if ((np->data = malloc(np->len ? np->len : 1)) == NULL)
				goto fail;
			memcpy(np->data, frame + off, np->len);
			cap->n++;
		}
		free(frame);
		frame = NULL;
	}
	fclose(f);
	return 0;
fail:
	free(frame);
	fclose(f);
	tpcap_free(cap);
	return -1;
}

void
tpcap_free(struct tpcap *cap)
{
	size_t i;

	for (i = 0; i < cap->n; i++)
		free(cap->pkt[i].data);
	free(cap->pkt);
	memset(cap, 0, sizeof(*cap));
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int
tpcap_write_header(FILE *f)
{
	uint8_t gh[24];

	memset(gh, 0, sizeof(gh));
	le32(gh, 0xa1b2c3d4);
	gh[4] = 2;		/* version 2.4 */
	gh[6] = 4;
	le32(gh + 16, 65535);	/* snaplen */
	le32(gh + 20, LINKTYPE_LINUX_SLL);
	return fwrite(gh, 1, sizeof(gh), f) == sizeof(gh) ? 0 : -1;
}

int
tpcap_write_nhrp(FILE *f, unsigned seq, const uint8_t *p, size_t len)
{
	uint8_t rh[16], sll[SLL_HDR_LEN];

	le32(rh, 1700000000u + seq);
	le32(rh + 4, 0);
	le32(rh + 8, (uint32_t)(len + SLL_HDR_LEN));
	le32(rh + 12, (uint32_t)(len + SLL_HDR_LEN));
	memset(sll, 0, sizeof(sll));
	sll[1] = 4;				/* sent by us */
	sll[2] = ARPHRD_IPGRE >> 8;
	sll[3] = ARPHRD_IPGRE & 0xff;
	sll[5] = 4;				/* address length */
	sll[6] = 198;				/* 198.51.100.1 */
	sll[7] = 51;
	sll[8] = 100;
	sll[9] = 1;
	sll[14] = NHRP_ETHERTYPE >> 8;
	sll[15] = NHRP_ETHERTYPE & 0xff;
	if (fwrite(rh, 1, sizeof(rh), f) != sizeof(rh) ||
	    fwrite(sll, 1, sizeof(sll), f) != sizeof(sll) ||
	    fwrite(p, 1, len, f) != len)
		return -1;
	return 0;
}
