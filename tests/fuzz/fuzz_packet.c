/*
 * fuzz_packet.c - libFuzzer target for the NHRP packet parser.
 *
 * Parses the input as received, and again with its checksum made valid
 * (so the fuzzer gets past the checksum into the deeper checks), plus the
 * lenient header-only parse used for Error Indication payloads.  Any
 * accepted packet must build again; errors must be in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libnhrp/packet.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	struct nhrp_packet p, h;
	struct nhrp_parse_info info;
	uint8_t *copy;
	ssize_t n;
	size_t i;
	int r, pass;

	if ((copy = malloc(size != 0 ? size : 1)) == NULL)
		return 0;
	if (size != 0)
		memcpy(copy, data, size);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && nhrp_packet_fix_checksum(copy, size) < 0)
			break;
		r = nhrp_packet_parse(copy, size, &p, &info);
		if (r > 0 || r <= -NHRP_E_MAX)
			abort();
		if (r < 0) {
			if (info.error_offset > size ||
			    p.ext != NULL || p.cies.cie != NULL ||
			    p.payload != NULL)
				abort();
			(void)nhrp_codec_strerror(r);
			continue;
		}
		(void)nhrp_packet_type_name(p.type);
		for (i = 0; i < p.cies.n; i++)
			(void)nhrp_cie_code_name(p.cies.cie[i].code);
		(void)nhrp_error_code_name(p.error_code);
		n = nhrp_packet_build(&p, out, sizeof(out));
		if (n < NHRP_HDR_LEN + NHRP_EXT_HDR_LEN)
			abort();
		nhrp_packet_clear(&p);
	}
	if (nhrp_packet_parse_header_only(copy, size, &h) == 0 &&
	    h.cies.cie != NULL)
		abort();
	free(copy);
	return 0;
}
