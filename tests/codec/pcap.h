/*
 * pcap.h - a tiny classic-libpcap reader and writer for the codec tests.
 *
 * Reading extracts NHRP packets from linktype 113 (Linux cooked v1,
 * protocol 0x2001) and linktype 1 (Ethernet, IPv4, GRE protocol 0x2001)
 * captures.  Writing produces linktype 113 files (SLL hatype 778).
 */
#ifndef NHRP_TEST_PCAP_H
#define NHRP_TEST_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tpcap_pkt {
	unsigned	 frame;		/* 1-based frame number in the file */
	uint8_t		*data;		/* the NHRP packet (exact-size copy) */
	size_t		 len;		/* bytes captured after the link headers */
};

struct tpcap {
	struct tpcap_pkt *pkt;
	size_t		 n;
	unsigned	 frames;	/* all frames, NHRP or not */
	uint32_t	 linktype;
};

/* Returns 0, or -1 with a message in err. */
int	tpcap_read(const char *path, struct tpcap *, char *err, size_t errlen);
void	tpcap_free(struct tpcap *);

/* Writer: linktype 113, every packet an outgoing SLL frame, proto 0x2001. */
int	tpcap_write_header(FILE *);
int	tpcap_write_nhrp(FILE *, unsigned seq, const uint8_t *, size_t);

#endif
