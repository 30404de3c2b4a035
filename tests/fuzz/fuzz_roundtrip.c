/*
 * fuzz_roundtrip.c - libFuzzer target: parse -> build -> parse equality.
 *
 * The input's checksum is made valid first.  When it parses, the built
 * bytes must parse again to an equal packet (field by field), a second
 * build must give identical bytes, a copy must be equal and build the
 * same, and the bytes must equal the input's unless one of the documented
 * exceptions applies (no End, End without the compulsory bit, non-zero
 * bytes after End; bytes past the size field are never kept).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libnhrp/packet.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536], out2[65536];
	struct nhrp_packet p, q, c;
	uint8_t *copy;
	ssize_t n, n2;
	size_t psize, endpos, i;
	int exact;

	if ((copy = malloc(size != 0 ? size : 1)) == NULL)
		return 0;
	if (size != 0)
		memcpy(copy, data, size);
	(void)nhrp_packet_fix_checksum(copy, size);
	if (nhrp_packet_parse(copy, size, &p, NULL) != 0) {
		free(copy);
		return 0;
	}
	n = nhrp_packet_build(&p, out, sizeof(out));
	if (n < 0)
		abort();
	if (nhrp_packet_parse(out, (size_t)n, &q, NULL) != 0)
		abort();
	if (!nhrp_packet_equal(&p, &q) || !q.has_end)
		abort();
	n2 = nhrp_packet_build(&q, out2, sizeof(out2));
	if (n2 != n || memcmp(out, out2, (size_t)n) != 0)
		abort();
	if (nhrp_packet_copy(&c, &p) == 0) {
		if (!nhrp_packet_equal(&c, &p))
			abort();
		n2 = nhrp_packet_build(&c, out2, sizeof(out2));
		if (n2 != n || memcmp(out, out2, (size_t)n) != 0)
			abort();
		nhrp_packet_clear(&c);
	}
	/* byte-exact unless a documented exception applies */
	psize = ((size_t)copy[10] << 8) | copy[11];
	if (p.has_end) {
		endpos = psize - p.trailer_len - NHRP_EXT_HDR_LEN;
		exact = copy[endpos] == 0x80;
		for (i = psize - p.trailer_len; i < psize; i++)
			if (copy[i] != 0)
				exact = 0;
		if (exact && ((size_t)n != psize ||
		    memcmp(out, copy, psize) != 0))
			abort();
	} else if ((size_t)n != psize + NHRP_EXT_HDR_LEN)
		abort();
	nhrp_packet_clear(&q);
	nhrp_packet_clear(&p);
	free(copy);
	return 0;
}
