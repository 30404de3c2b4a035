/*
 * addr.c - protocol and NBMA addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

size_t
nhrp_afn_addrlen(uint16_t afn)
{
	switch (afn) {
	case NHRP_AFN_IPV4:
		return 4;
	case NHRP_AFN_IPV6:
		return 16;
	}
	return 0;
}

unsigned
nhrp_afn_maxprefix(uint16_t afn)
{
	return nhrp_afn_addrlen(afn) * 8;
}

void
nhrp_addr_clear(struct nhrp_addr *a)
{
	memset(a, 0, sizeof(*a));
}

void
nhrp_addr_set_ipv4(struct nhrp_addr *a, uint32_t be)
{
	memset(a, 0, sizeof(*a));
	a->afn = NHRP_AFN_IPV4;
	a->len = 4;
	memcpy(a->addr, &be, 4);
}

uint32_t
nhrp_addr_ipv4(const struct nhrp_addr *a)
{
	uint32_t v = 0;

	if (a->afn == NHRP_AFN_IPV4 && a->len == 4)
		memcpy(&v, a->addr, 4);
	return v;
}

int
nhrp_addr_set(struct nhrp_addr *a, uint16_t afn, const void *p, size_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 0)
		return 0;
	if (len > NHRP_ADDR_MAX || len != nhrp_afn_addrlen(afn))
		return -1;
	a->afn = afn;
	a->len = (uint8_t)len;
	memcpy(a->addr, p, len);
	return 0;
}

int
nhrp_addr_is_unspec(const struct nhrp_addr *a)
{
	size_t i;

	if (a->afn == NHRP_AFN_NONE || a->len == 0)
		return 1;
	for (i = 0; i < a->len; i++)
		if (a->addr[i] != 0)
			return 0;
	return 1;
}

int
nhrp_addr_cmp(const struct nhrp_addr *a, const struct nhrp_addr *b)
{
	if (a->afn != b->afn)
		return a->afn < b->afn ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, a->len);
}

int
nhrp_addr_equal(const struct nhrp_addr *a, const struct nhrp_addr *b)
{
	return nhrp_addr_cmp(a, b) == 0;
}

uint32_t
nhrp_addr_hash(const struct nhrp_addr *a)
{
	/* FNV-1a over family, length and bytes, then a final mix. */
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ a->afn) * 16777619u;
	h = (h ^ a->len) * 16777619u;
	for (i = 0; i < a->len; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

static unsigned
clamp_plen(const struct nhrp_addr *a, unsigned plen)
{
	unsigned max = a->len * 8u;

	return plen > max ? max : plen;
}

void
nhrp_addr_mask(struct nhrp_addr *a, unsigned plen)
{
	unsigned i;

	plen = clamp_plen(a, plen);
	for (i = 0; i < a->len; i++) {
		if (plen >= 8)
			plen -= 8;
		else {
			a->addr[i] &= (uint8_t)(0xff00u >> plen);
			plen = 0;
		}
	}
}

int
nhrp_addr_prefix_match(const struct nhrp_addr *net, unsigned plen,
    const struct nhrp_addr *a)
{
	unsigned full, rem;

	if (net->afn != a->afn || net->len != a->len)
		return 0;
	plen = clamp_plen(net, plen);
	full = plen / 8;
	rem = plen % 8;
	if (memcmp(net->addr, a->addr, full) != 0)
		return 0;
	if (rem != 0) {
		uint8_t m = (uint8_t)(0xff00u >> rem);
		if ((net->addr[full] & m) != (a->addr[full] & m))
			return 0;
	}
	return 1;
}

int
nhrp_addr_has_host_bits(const struct nhrp_addr *a, unsigned plen)
{
	struct nhrp_addr m = *a;

	nhrp_addr_mask(&m, plen);
	return !nhrp_addr_equal(&m, a);
}

void
nhrp_addr_broadcast(struct nhrp_addr *a, unsigned plen)
{
	unsigned i;

	plen = clamp_plen(a, plen);
	for (i = 0; i < a->len; i++) {
		if (plen >= 8)
			plen -= 8;
		else {
			a->addr[i] |= (uint8_t)(0xffu >> plen);
			plen = 0;
		}
	}
}

static int
parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
	unsigned oct = 0, val = 0, digits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			val = val * 10 + (unsigned)(c - '0');
			if (++digits > 3 || val > 255)
				return -1;
		} else if (c == '.') {
			if (digits == 0 || oct >= 3)
				return -1;
			out[oct++] = (uint8_t)val;
			val = 0;
			digits = 0;
		} else
			return -1;
	}
	if (digits == 0 || oct != 3)
		return -1;
	out[3] = (uint8_t)val;
	return 0;
}

int
nhrp_addr_parse(const char *s, struct nhrp_addr *a, int allow_prefix,
    unsigned *plen)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t buf[16];
	char tmp[64];
	unsigned max;

	nhrp_addr_clear(a);
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (parse_ipv4(s, n, buf) == 0)
		nhrp_addr_set(a, NHRP_AFN_IPV4, buf, 4);
	else {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (strchr(tmp, ':') == NULL || inet_pton(AF_INET6, tmp, buf) != 1)
			return -1;
		nhrp_addr_set(a, NHRP_AFN_IPV6, buf, 16);
	}
	max = nhrp_afn_maxprefix(a->afn);
	if (slash != NULL) {
		const char *p = slash + 1;
		unsigned v = 0;

		if (!allow_prefix || *p == '\0')
			goto bad;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			v = v * 10 + (unsigned)(*p - '0');
			if (v > max)
				goto bad;
		}
		if (slash[1] == '0' && slash[2] != '\0')
			goto bad;	/* no leading zeros */
		if (plen != NULL)
			*plen = v;
	} else if (plen != NULL)
		*plen = max;
	return 0;
bad:
	nhrp_addr_clear(a);
	return -1;
}

/*
 * Dotted quad, as inet_ntop(AF_INET) writes it (an empty string when it
 * does not fit), without its per-call overhead: it runs for every
 * address the daemon logs or hands to a hook.
 */
static void
addr_format4(const uint8_t *b, char *buf, size_t len)
{
	char tmp[16], *q = tmp;
	size_t n;
	unsigned i, v;

	for (i = 0; i < 4; i++) {
		v = b[i];
		if (v >= 100) {
			*q++ = (char)('0' + v / 100);
			v %= 100;
			*q++ = (char)('0' + v / 10);
		} else if (v >= 10)
			*q++ = (char)('0' + v / 10);
		*q++ = (char)('0' + v % 10);
		*q++ = i < 3 ? '.' : '\0';
	}
	n = (size_t)(q - tmp);
	if (n > len) {
		buf[0] = '\0';
		return;
	}
	memcpy(buf, tmp, n);
}

char *
nhrp_addr_format(const struct nhrp_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	switch (a->afn) {
	case NHRP_AFN_IPV4:
		addr_format4(a->addr, buf, len);
		break;
	case NHRP_AFN_IPV6:
		if (inet_ntop(AF_INET6, a->addr, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
		break;
	default:
		snprintf(buf, len, "(unspecified)");
		break;
	}
	return buf;
}
