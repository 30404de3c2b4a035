/*
 * addr.h - protocol and NBMA addresses, by family and length.
 *
 * Addresses are kept in network byte order with their RFC 2332 address
 * family number, so IPv6 needs no change of representation later.
 */
#ifndef NHRP_ADDR_H
#define NHRP_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define NHRP_AFN_NONE	0
#define NHRP_AFN_IPV4	1	/* RFC 1700 address family numbers */
#define NHRP_AFN_IPV6	2

#define NHRP_ADDR_MAX	16
#define NHRP_ADDRSTRLEN	48	/* INET6_ADDRSTRLEN + "/128" */

struct nhrp_addr {
	uint16_t	afn;		/* NHRP_AFN_*; NONE = unspecified */
	uint8_t		len;		/* bytes used in addr: 0, 4 or 16 */
	uint8_t		addr[NHRP_ADDR_MAX];
};

/* Length in bytes of an address of this family, 0 if unknown. */
size_t	nhrp_afn_addrlen(uint16_t afn);
/* Maximum prefix length for the family (32, 128), 0 if unknown. */
unsigned nhrp_afn_maxprefix(uint16_t afn);

void	nhrp_addr_clear(struct nhrp_addr *);
void	nhrp_addr_set_ipv4(struct nhrp_addr *, uint32_t be);	/* network order */
uint32_t nhrp_addr_ipv4(const struct nhrp_addr *);		/* network order */
/* 0 on success, -1 when len does not fit the family. */
int	nhrp_addr_set(struct nhrp_addr *, uint16_t afn, const void *, size_t len);
int	nhrp_addr_is_unspec(const struct nhrp_addr *);	/* none, or all zero */
int	nhrp_addr_cmp(const struct nhrp_addr *, const struct nhrp_addr *);
int	nhrp_addr_equal(const struct nhrp_addr *, const struct nhrp_addr *);
uint32_t nhrp_addr_hash(const struct nhrp_addr *);

/* Prefix helpers; plen is clamped to the family's maximum. */
void	nhrp_addr_mask(struct nhrp_addr *, unsigned plen);
int	nhrp_addr_prefix_match(const struct nhrp_addr *net, unsigned plen,
	    const struct nhrp_addr *a);
int	nhrp_addr_has_host_bits(const struct nhrp_addr *, unsigned plen);
void	nhrp_addr_broadcast(struct nhrp_addr *, unsigned plen);

/*
 * Strict text parsing: "a.b.c.d" (decimal octets 0-255, nothing after),
 * or with allow_prefix "a.b.c.d/N" (N in 0..32).  IPv6 text is accepted
 * too.  Returns 0, or -1 on any syntax error.  *plen gets the prefix, or
 * the family maximum when none is given; plen may be NULL when
 * allow_prefix is 0.
 */
int	nhrp_addr_parse(const char *, struct nhrp_addr *, int allow_prefix,
	    unsigned *plen);
/* Formats the address without prefix; returns buf. */
char	*nhrp_addr_format(const struct nhrp_addr *, char *buf, size_t len);

#endif
