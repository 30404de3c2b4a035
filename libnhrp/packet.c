/*
 * packet.c - the NHRP wire codec (RFC 2332 plus Cisco extensions).
 *
 * Parsing is strict: the packet size, checksum, version, type, address
 * families and every length are checked, extensions must end with End,
 * duplicate extension types and unknown compulsory extensions are
 * rejected.  Every read goes through the bounds-checked cursor of buf.h.
 *
 * Round trip: parse then build gives the same bytes, except that
 *  - bytes after the packet size field (link padding) are not kept,
 *  - bytes after End are re-emitted as zero bytes (trailer_len),
 *  - an End extension sent without the compulsory bit is re-emitted
 *    with it, and a packet without extensions (offset 0) gets an End
 *    extension and a non-zero extension offset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "packet.h"

/* Address type/length bytes: bit 6 is the E.164/NSAP type, bit 7 unused. */
#define NHRP_TL_LEN_MASK	0x3f
#define NHRP_EXT_TYPE_MASK	0x7fff

/* Fixed header field offsets */
#define OFF_AFN		0
#define OFF_PRO_TYPE	2
#define OFF_SNAP	4
#define OFF_HOP		9
#define OFF_SIZE	10
#define OFF_CKSUM	12
#define OFF_EXTOFF	14
#define OFF_VERSION	16
#define OFF_TYPE	17
#define OFF_SHTL	18
#define OFF_SSTL	19
#define OFF_SPLN	20
#define OFF_DPLN	21
#define OFF_FLAGS	22
#define OFF_REQID	24

/* Seen-extension-type set: a word for small types, a lazy bitmap above. */
struct ext_seen {
	uint64_t	small;
	int		big_init;
	uint8_t		big[(NHRP_EXT_TYPE_MASK + 1) / 8];
};

static int
ext_seen_test_and_set(struct ext_seen *s, uint16_t type)
{
	int was;

	type &= NHRP_EXT_TYPE_MASK;
	if (type < 64) {
		was = (s->small >> type) & 1;
		s->small |= (uint64_t)1 << type;
		return was;
	}
	if (!s->big_init) {
		memset(s->big, 0, sizeof(s->big));
		s->big_init = 1;
	}
	was = (s->big[type / 8] >> (type % 8)) & 1;
	s->big[type / 8] |= (uint8_t)(1 << (type % 8));
	return was;
}

static int
ext_type_is_cie_list(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FORWARD_TRANSIT:
	case NHRP_EXT_REVERSE_TRANSIT:
	case NHRP_EXT_NAT_ADDRESS:
		return 1;
	}
	return 0;
}

static int
ext_type_is_known(uint16_t type)
{
	return type == NHRP_EXT_END || type == NHRP_EXT_AUTH ||
	    type == NHRP_EXT_VENDOR || ext_type_is_cie_list(type);
}

static uint16_t
proto_afn(uint16_t pro_type)
{
	switch (pro_type) {
	case NHRP_PROTO_IPV4:
		return NHRP_AFN_IPV4;
	case NHRP_PROTO_IPV6:
		return NHRP_AFN_IPV6;
	}
	return NHRP_AFN_NONE;
}

/* ---- checksum ---------------------------------------------------------- */

uint16_t
nhrp_checksum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;	/* zero-padded word */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
nhrp_packet_fix_checksum(uint8_t *p, size_t len)
{
	uint16_t size, ck;

	if (len < NHRP_FIXED_HDR_LEN)
		return -NHRP_E_TRUNCATED;
	size = (uint16_t)((p[OFF_SIZE] << 8) | p[OFF_SIZE + 1]);
	if (size < NHRP_FIXED_HDR_LEN)
		return -NHRP_E_SIZE;
	if (size > len)
		return -NHRP_E_TRUNCATED;
	p[OFF_CKSUM] = p[OFF_CKSUM + 1] = 0;
	ck = nhrp_checksum(p, size);
	p[OFF_CKSUM] = (uint8_t)(ck >> 8);
	p[OFF_CKSUM + 1] = (uint8_t)ck;
	return 0;
}

/* ---- lists ------------------------------------------------------------- */

/*
 * Makes room for one more element in a doubling array (first size:
 * first); returns -1 on overflow or ENOMEM, leaving the array as it was.
 */
static int
array_reserve(void **arr, size_t *cap, size_t n, size_t elsize, size_t first)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? first : *cap * 2;
	if (ncap < *cap || ncap > SIZE_MAX / elsize)
		return -1;
	if ((na = realloc(*arr, ncap * elsize)) == NULL)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

struct nhrp_cie *
nhrp_cie_list_add(struct nhrp_cie_list *l)
{
	struct nhrp_cie *n;
	void *arr = l->cie;

	if (array_reserve(&arr, &l->cap, l->n, sizeof(*n), 2) < 0)
		return NULL;
	l->cie = arr;
	n = &l->cie[l->n++];
	memset(n, 0, sizeof(*n));
	return n;
}

void
nhrp_cie_list_clear(struct nhrp_cie_list *l)
{
	free(l->cie);
	l->cie = NULL;
	l->n = l->cap = 0;
}

static int
cie_list_copy(struct nhrp_cie_list *dst, const struct nhrp_cie_list *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n == 0)
		return 0;
	dst->cie = calloc(src->n, sizeof(*dst->cie));
	if (dst->cie == NULL)
		return -NHRP_E_NOMEM;
	memcpy(dst->cie, src->cie, src->n * sizeof(*dst->cie));
	dst->n = dst->cap = src->n;
	return 0;
}

static void
ext_free(struct nhrp_ext *e)
{
	nhrp_cie_list_clear(&e->cies);
	free(e->raw);
	e->raw = NULL;
	e->raw_len = 0;
}

void
nhrp_packet_init(struct nhrp_packet *pkt, uint8_t type)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->afn = NHRP_AFN_IPV4;
	pkt->pro_type = NHRP_PROTO_IPV4;
	pkt->hop_count = NHRP_HOP_COUNT;
	pkt->version = NHRP_VERSION_RFC2332;
	pkt->type = type;
}

void
nhrp_packet_clear(struct nhrp_packet *pkt)
{
	size_t i;

	nhrp_cie_list_clear(&pkt->cies);
	free(pkt->payload);
	for (i = 0; i < pkt->next; i++)
		ext_free(&pkt->ext[i]);
	free(pkt->ext);
	memset(pkt, 0, sizeof(*pkt));
}

int
nhrp_packet_copy(struct nhrp_packet *dst, const struct nhrp_packet *src)
{
	size_t i;
	int r;

	*dst = *src;
	dst->cies.cie = NULL;
	dst->cies.n = dst->cies.cap = 0;
	dst->payload = NULL;
	dst->payload_len = 0;
	dst->ext = NULL;
	dst->next = dst->ext_cap = 0;

	if ((r = cie_list_copy(&dst->cies, &src->cies)) < 0)
		goto fail;
	if (src->payload_len != 0) {
		if ((dst->payload = malloc(src->payload_len)) == NULL) {
			r = -NHRP_E_NOMEM;
			goto fail;
		}
		memcpy(dst->payload, src->payload, src->payload_len);
		dst->payload_len = src->payload_len;
	}
	if (src->next != 0) {
		dst->ext = calloc(src->next, sizeof(*dst->ext));
		if (dst->ext == NULL) {
			r = -NHRP_E_NOMEM;
			goto fail;
		}
		dst->ext_cap = src->next;
	}
	for (i = 0; i < src->next; i++) {
		struct nhrp_ext *d = &dst->ext[i];
		const struct nhrp_ext *s = &src->ext[i];

		d->type = s->type;
		d->compulsory = s->compulsory;
		d->is_cie_list = s->is_cie_list;
		dst->next = i + 1;
		if ((r = cie_list_copy(&d->cies, &s->cies)) < 0)
			goto fail;
		if (s->raw_len != 0 &&
		    (r = nhrp_ext_set_raw(d, s->raw, s->raw_len)) < 0)
			goto fail;
	}
	return 0;
fail:
	nhrp_packet_clear(dst);
	return r;
}

/* ---- extensions --------------------------------------------------------- */

struct nhrp_ext *
nhrp_packet_ext_find(struct nhrp_packet *pkt, uint16_t type)
{
	size_t i;

	type &= NHRP_EXT_TYPE_MASK;
	for (i = 0; i < pkt->next; i++)
		if (pkt->ext[i].type == type)
			return &pkt->ext[i];
	return NULL;
}

const struct nhrp_ext *
nhrp_packet_ext_find_const(const struct nhrp_packet *pkt, uint16_t type)
{
	size_t i;

	type &= NHRP_EXT_TYPE_MASK;
	for (i = 0; i < pkt->next; i++)
		if (pkt->ext[i].type == type)
			return &pkt->ext[i];
	return NULL;
}

/* Appends a zeroed extension slot; NULL on ENOMEM. */
static struct nhrp_ext *
ext_append(struct nhrp_packet *pkt)
{
	struct nhrp_ext *n;
	void *arr = pkt->ext;

	/* Start with room for every usual extension, so pointers returned
	 * for a typical packet stay valid. */
	if (array_reserve(&arr, &pkt->ext_cap, pkt->next, sizeof(*n), 8) < 0)
		return NULL;
	pkt->ext = arr;
	n = &pkt->ext[pkt->next++];
	memset(n, 0, sizeof(*n));
	return n;
}

struct nhrp_ext *
nhrp_packet_ext_add(struct nhrp_packet *pkt, uint16_t type, bool compulsory)
{
	struct nhrp_ext *e;

	type &= NHRP_EXT_TYPE_MASK;
	if ((e = nhrp_packet_ext_find(pkt, type)) != NULL)
		return e;
	if ((e = ext_append(pkt)) == NULL)
		return NULL;
	e->type = type;
	e->compulsory = compulsory;
	e->is_cie_list = ext_type_is_cie_list(type);
	return e;
}

int
nhrp_ext_set_raw(struct nhrp_ext *e, const void *p, size_t len)
{
	uint8_t *n = NULL;

	if (e->is_cie_list)
		return -NHRP_E_INVALID;
	if (len != 0) {
		if ((n = malloc(len)) == NULL)
			return -NHRP_E_NOMEM;
		memcpy(n, p, len);
	}
	free(e->raw);
	e->raw = n;
	e->raw_len = len;
	return 0;
}

void
nhrp_packet_ext_remove(struct nhrp_packet *pkt, uint16_t type)
{
	size_t i;

	type &= NHRP_EXT_TYPE_MASK;
	for (i = 0; i < pkt->next; i++) {
		if (pkt->ext[i].type != type)
			continue;
		ext_free(&pkt->ext[i]);
		memmove(&pkt->ext[i], &pkt->ext[i + 1],
		    (pkt->next - i - 1) * sizeof(pkt->ext[0]));
		pkt->next--;
		return;
	}
}

/* ---- parsing ------------------------------------------------------------ */

static int
fail(struct nhrp_parse_info *info, size_t off, int err)
{
	if (info != NULL)
		info->error_offset = off;
	return -err;
}

/* Checks a type/length byte of an NBMA address against the family. */
static int
check_nbma_tl(uint8_t tl, size_t famlen)
{
	if (tl & ~NHRP_TL_LEN_MASK)
		return -1;
	if (tl != 0 && tl != famlen)
		return -1;
	return 0;
}

static int
check_proto_len(uint8_t len, size_t famlen)
{
	return len != 0 && len != famlen ? -1 : 0;
}

/* Reads an address of len bytes (already validated) into a. */
static int
read_addr(struct nhrp_rbuf *r, struct nhrp_addr *a, uint16_t afn, uint8_t len)
{
	memset(a, 0, sizeof(*a));
	if (len == 0)
		return 0;
	if (nhrp_rbuf_get(r, a->addr, len) < 0)
		return -1;
	a->afn = afn;
	a->len = len;
	return 0;
}

/*
 * Parses CIEs from r until its end.  overrun_err is the error for a CIE
 * that does not fit (the payload and extension cases differ).
 */
static int
parse_cie_list(struct nhrp_rbuf *r, struct nhrp_cie_list *l, uint16_t afn,
    uint16_t pafn, int overrun_err, struct nhrp_parse_info *info)
{
	struct nhrp_cie *c;
	size_t famlen = nhrp_afn_addrlen(afn), pfamlen = nhrp_afn_addrlen(pafn);
	size_t start;
	uint8_t ntl, nstl, plen;

	while (nhrp_rbuf_left(r) != 0) {
		start = r->off;
		if (nhrp_rbuf_left(r) < NHRP_CIE_HDR_LEN)
			return fail(info, start, overrun_err);
		ntl = r->base[start + 8];
		nstl = r->base[start + 9];
		plen = r->base[start + 10];
		if (check_nbma_tl(ntl, famlen) < 0)
			return fail(info, start + 8, NHRP_E_ADDR_LEN);
		if (check_nbma_tl(nstl, famlen) < 0)
			return fail(info, start + 9, NHRP_E_ADDR_LEN);
		if (check_proto_len(plen, pfamlen) < 0)
			return fail(info, start + 10, NHRP_E_ADDR_LEN);
		if (nhrp_rbuf_left(r) < (size_t)NHRP_CIE_HDR_LEN + ntl + nstl +
		    plen)
			return fail(info, start, overrun_err);
		if ((c = nhrp_cie_list_add(l)) == NULL)
			return -NHRP_E_NOMEM;
		/* The lengths were checked above: these reads cannot fail. */
		if (nhrp_rbuf_u8(r, &c->code) < 0 ||
		    nhrp_rbuf_u8(r, &c->prefix_len) < 0 ||
		    nhrp_rbuf_u16(r, &c->unused) < 0 ||
		    nhrp_rbuf_u16(r, &c->mtu) < 0 ||
		    nhrp_rbuf_u16(r, &c->holding_time) < 0 ||
		    nhrp_rbuf_skip(r, 3) < 0 ||
		    nhrp_rbuf_u8(r, &c->preference) < 0 ||
		    read_addr(r, &c->nbma, afn, ntl) < 0 ||
		    read_addr(r, &c->nbma_sub, afn, nstl) < 0 ||
		    read_addr(r, &c->proto, pafn, plen) < 0)
			return fail(info, start, overrun_err);
	}
	return 0;
}

/*
 * Fixed header, mandatory part and the four addresses.  Checks the
 * families and lengths but neither size, checksum nor version.  On
 * success *addr_end is the offset after the destination protocol address.
 */
static int
parse_header(const uint8_t *buf, size_t len, struct nhrp_packet *pkt,
    struct nhrp_parse_info *info, size_t *addr_end)
{
	struct nhrp_rbuf r;
	uint16_t size, cksum, extoff, pafn;
	uint8_t shtl, sstl, spln, dpln;
	size_t famlen, pfamlen;

	nhrp_rbuf_init(&r, buf, 0, len);
	if (len < NHRP_HDR_LEN)
		return fail(info, len, NHRP_E_TRUNCATED);
	if (nhrp_rbuf_u16(&r, &pkt->afn) < 0 ||
	    nhrp_rbuf_u16(&r, &pkt->pro_type) < 0 ||
	    nhrp_rbuf_get(&r, pkt->pro_snap, sizeof(pkt->pro_snap)) < 0 ||
	    nhrp_rbuf_u8(&r, &pkt->hop_count) < 0 ||
	    nhrp_rbuf_u16(&r, &size) < 0 ||
	    nhrp_rbuf_u16(&r, &cksum) < 0 ||
	    nhrp_rbuf_u16(&r, &extoff) < 0 ||
	    nhrp_rbuf_u8(&r, &pkt->version) < 0 ||
	    nhrp_rbuf_u8(&r, &pkt->type) < 0 ||
	    nhrp_rbuf_u8(&r, &shtl) < 0 ||
	    nhrp_rbuf_u8(&r, &sstl) < 0 ||
	    nhrp_rbuf_u8(&r, &spln) < 0 ||
	    nhrp_rbuf_u8(&r, &dpln) < 0 ||
	    nhrp_rbuf_u16(&r, &pkt->flags) < 0)
		return fail(info, r.off, NHRP_E_TRUNCATED);
	if (pkt->type == NHRP_ERROR_INDICATION) {
		if (nhrp_rbuf_u16(&r, &pkt->error_code) < 0 ||
		    nhrp_rbuf_u16(&r, &pkt->error_offset) < 0)
			return fail(info, r.off, NHRP_E_TRUNCATED);
	} else if (nhrp_rbuf_u32(&r, &pkt->request_id) < 0)
		return fail(info, r.off, NHRP_E_TRUNCATED);

	famlen = nhrp_afn_addrlen(pkt->afn);
	pafn = proto_afn(pkt->pro_type);
	pfamlen = nhrp_afn_addrlen(pafn);
	if (famlen == 0)
		return fail(info, OFF_AFN, NHRP_E_AFN);
	if (pfamlen == 0)
		return fail(info, OFF_PRO_TYPE, NHRP_E_AFN);
	if (check_nbma_tl(shtl, famlen) < 0)
		return fail(info, OFF_SHTL, NHRP_E_ADDR_LEN);
	if (check_nbma_tl(sstl, famlen) < 0)
		return fail(info, OFF_SSTL, NHRP_E_ADDR_LEN);
	if (check_proto_len(spln, pfamlen) < 0)
		return fail(info, OFF_SPLN, NHRP_E_ADDR_LEN);
	if (check_proto_len(dpln, pfamlen) < 0)
		return fail(info, OFF_DPLN, NHRP_E_ADDR_LEN);
	if (read_addr(&r, &pkt->src_nbma, pkt->afn, shtl) < 0 ||
	    read_addr(&r, &pkt->src_nbma_sub, pkt->afn, sstl) < 0 ||
	    read_addr(&r, &pkt->src_proto, pafn, spln) < 0 ||
	    read_addr(&r, &pkt->dst_proto, pafn, dpln) < 0)
		return fail(info, r.off, NHRP_E_TRUNCATED);
	*addr_end = r.off;
	return 0;
}

static int
parse_extensions(const uint8_t *buf, size_t extoff, size_t size,
    struct nhrp_packet *pkt, struct nhrp_parse_info *info)
{
	struct ext_seen seen;
	struct nhrp_rbuf r, sub;
	struct nhrp_ext *e;
	uint16_t raw_type, type, elen, pafn = proto_afn(pkt->pro_type);
	size_t start;
	int err;

	seen.small = 0;
	seen.big_init = 0;
	nhrp_rbuf_init(&r, buf, extoff, size);
	for (;;) {
		start = r.off;
		if (nhrp_rbuf_u16(&r, &raw_type) < 0 ||
		    nhrp_rbuf_u16(&r, &elen) < 0)
			return fail(info, start, NHRP_E_EXT_NO_END);
		if (nhrp_rbuf_left(&r) < elen)
			return fail(info, start + 2, NHRP_E_EXT_OVERRUN);
		type = raw_type & NHRP_EXT_TYPE_MASK;
		if (type == NHRP_EXT_END) {
			if (elen != 0)
				return fail(info, start + 2, NHRP_E_EXT_BAD);
			pkt->has_end = true;
			pkt->trailer_len = size - r.off - elen;
			return 0;
		}
		if (ext_seen_test_and_set(&seen, type))
			return fail(info, start, NHRP_E_EXT_DUPLICATE);
		if (!ext_type_is_known(type) && (raw_type & NHRP_EXT_COMPULSORY)) {
			if (info != NULL)
				info->unknown_ext = type;
			return fail(info, start, NHRP_E_EXT_UNKNOWN_COMPULSORY);
		}
		if ((e = ext_append(pkt)) == NULL)
			return -NHRP_E_NOMEM;
		e->type = type;
		e->compulsory = (raw_type & NHRP_EXT_COMPULSORY) != 0;
		e->is_cie_list = ext_type_is_cie_list(type);
		if (e->is_cie_list) {
			nhrp_rbuf_init(&sub, buf, r.off, r.off + elen);
			err = parse_cie_list(&sub, &e->cies, pkt->afn, pafn,
			    NHRP_E_EXT_BAD, info);
			if (err < 0)
				return err;
		} else if (elen != 0) {
			if (nhrp_ext_set_raw(e, buf + r.off, elen) < 0)
				return -NHRP_E_NOMEM;
		}
		r.off += elen;
	}
}

static int
parse_packet(const uint8_t *buf, size_t len, struct nhrp_packet *pkt,
    struct nhrp_parse_info *info)
{
	struct nhrp_rbuf r;
	size_t size, extoff, addr_end, payload_end;
	int err;

	if (len < NHRP_HDR_LEN)
		return fail(info, len, NHRP_E_TRUNCATED);
	size = ((size_t)buf[OFF_SIZE] << 8) | buf[OFF_SIZE + 1];
	extoff = ((size_t)buf[OFF_EXTOFF] << 8) | buf[OFF_EXTOFF + 1];
	if (size < NHRP_HDR_LEN)
		return fail(info, OFF_SIZE, NHRP_E_SIZE);
	if (size > len)
		return fail(info, OFF_SIZE, NHRP_E_TRUNCATED);
	if (nhrp_checksum(buf, size) != 0)
		return fail(info, OFF_CKSUM, NHRP_E_CHECKSUM);
	if (buf[OFF_VERSION] != NHRP_VERSION_RFC2332)
		return fail(info, OFF_VERSION, NHRP_E_VERSION);
	if (buf[OFF_TYPE] < 1 || buf[OFF_TYPE] > NHRP_TYPE_MAX)
		return fail(info, OFF_TYPE, NHRP_E_TYPE);
	if ((err = parse_header(buf, size, pkt, info, &addr_end)) < 0)
		return err;

	if (extoff == 0)
		payload_end = size;
	else if (extoff < addr_end || extoff > size)
		return fail(info, OFF_EXTOFF, NHRP_E_EXT_OFFSET);
	else
		payload_end = extoff;

	if (pkt->type == NHRP_ERROR_INDICATION ||
	    pkt->type == NHRP_TRAFFIC_INDICATION) {
		pkt->payload_len = payload_end - addr_end;
		if (pkt->payload_len != 0) {
			pkt->payload = malloc(pkt->payload_len);
			if (pkt->payload == NULL)
				return -NHRP_E_NOMEM;
			memcpy(pkt->payload, buf + addr_end, pkt->payload_len);
		}
	} else {
		nhrp_rbuf_init(&r, buf, addr_end, payload_end);
		err = parse_cie_list(&r, &pkt->cies, pkt->afn,
		    proto_afn(pkt->pro_type), NHRP_E_CIE_OVERRUN, info);
		if (err < 0)
			return err;
	}
	if (extoff == 0)
		return 0;
	return parse_extensions(buf, extoff, size, pkt, info);
}

int
nhrp_packet_parse(const uint8_t *buf, size_t len, struct nhrp_packet *pkt,
    struct nhrp_parse_info *info)
{
	int err;

	memset(pkt, 0, sizeof(*pkt));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (buf == NULL)
		len = 0;
	if ((err = parse_packet(buf, len, pkt, info)) < 0)
		nhrp_packet_clear(pkt);
	return err;
}

int
nhrp_packet_parse_header_only(const uint8_t *buf, size_t len,
    struct nhrp_packet *pkt)
{
	size_t addr_end;
	int err;

	memset(pkt, 0, sizeof(*pkt));
	if (buf == NULL)
		len = 0;
	if ((err = parse_header(buf, len, pkt, NULL, &addr_end)) < 0)
		memset(pkt, 0, sizeof(*pkt));
	return err;
}

/* ---- building ----------------------------------------------------------- */

static int
check_addr(const struct nhrp_addr *a, size_t famlen)
{
	return a->len != 0 && a->len != famlen ? -1 : 0;
}

static int
put_addr(struct nhrp_wbuf *w, const struct nhrp_addr *a)
{
	return nhrp_wbuf_put(w, a->addr, a->len);
}

static int
build_cie_list(struct nhrp_wbuf *w, const struct nhrp_cie_list *l,
    size_t famlen, size_t pfamlen)
{
	const struct nhrp_cie *c;
	size_t i;

	for (i = 0; i < l->n; i++) {
		c = &l->cie[i];
		if (check_addr(&c->nbma, famlen) < 0 ||
		    check_addr(&c->nbma_sub, famlen) < 0 ||
		    check_addr(&c->proto, pfamlen) < 0)
			return -NHRP_E_INVALID;
		if (nhrp_wbuf_u8(w, c->code) < 0 ||
		    nhrp_wbuf_u8(w, c->prefix_len) < 0 ||
		    nhrp_wbuf_u16(w, c->unused) < 0 ||
		    nhrp_wbuf_u16(w, c->mtu) < 0 ||
		    nhrp_wbuf_u16(w, c->holding_time) < 0 ||
		    nhrp_wbuf_u8(w, c->nbma.len) < 0 ||
		    nhrp_wbuf_u8(w, c->nbma_sub.len) < 0 ||
		    nhrp_wbuf_u8(w, c->proto.len) < 0 ||
		    nhrp_wbuf_u8(w, c->preference) < 0 ||
		    put_addr(w, &c->nbma) < 0 ||
		    put_addr(w, &c->nbma_sub) < 0 ||
		    put_addr(w, &c->proto) < 0)
			return -NHRP_E_TOO_BIG;
	}
	return 0;
}

static int
build_extensions(struct nhrp_wbuf *w, const struct nhrp_packet *pkt,
    size_t famlen, size_t pfamlen)
{
	struct ext_seen seen;
	const struct nhrp_ext *e;
	size_t i, start, elen;
	int err;

	seen.small = 0;
	seen.big_init = 0;
	for (i = 0; i < pkt->next; i++) {
		e = &pkt->ext[i];
		if (e->type == NHRP_EXT_END ||
		    (e->type & ~NHRP_EXT_TYPE_MASK) != 0 ||
		    (e->is_cie_list != 0) != ext_type_is_cie_list(e->type) ||
		    ext_seen_test_and_set(&seen, e->type))
			return -NHRP_E_INVALID;
		start = w->off;
		if (nhrp_wbuf_u16(w, (uint16_t)(e->type |
		    (e->compulsory ? NHRP_EXT_COMPULSORY : 0))) < 0 ||
		    nhrp_wbuf_u16(w, 0) < 0)
			return -NHRP_E_TOO_BIG;
		if (e->is_cie_list) {
			err = build_cie_list(w, &e->cies, famlen, pfamlen);
			if (err < 0)
				return err;
		} else if (nhrp_wbuf_put(w, e->raw, e->raw_len) < 0)
			return -NHRP_E_TOO_BIG;
		elen = w->off - start - NHRP_EXT_HDR_LEN;
		if (elen > UINT16_MAX)
			return -NHRP_E_TOO_BIG;
		if (nhrp_wbuf_patch16(w, start + 2, (uint16_t)elen) < 0)
			return -NHRP_E_INVALID;
	}
	/* End, then the trailer (Error Indication padding). */
	if (nhrp_wbuf_u16(w, NHRP_EXT_COMPULSORY | NHRP_EXT_END) < 0 ||
	    nhrp_wbuf_u16(w, 0) < 0 ||
	    nhrp_wbuf_zero(w, pkt->trailer_len) < 0)
		return -NHRP_E_TOO_BIG;
	return 0;
}

ssize_t
nhrp_packet_build(const struct nhrp_packet *pkt, uint8_t *buf, size_t size)
{
	struct nhrp_wbuf w;
	size_t famlen, pfamlen, extoff;
	uint16_t ck;
	int err;

	if (pkt->type < 1 || pkt->type > NHRP_TYPE_MAX ||
	    pkt->version != NHRP_VERSION_RFC2332)
		return -NHRP_E_INVALID;
	famlen = nhrp_afn_addrlen(pkt->afn);
	pfamlen = nhrp_afn_addrlen(proto_afn(pkt->pro_type));
	if (famlen == 0 || pfamlen == 0)
		return -NHRP_E_INVALID;
	if (check_addr(&pkt->src_nbma, famlen) < 0 ||
	    check_addr(&pkt->src_nbma_sub, famlen) < 0 ||
	    check_addr(&pkt->src_proto, pfamlen) < 0 ||
	    check_addr(&pkt->dst_proto, pfamlen) < 0)
		return -NHRP_E_INVALID;
	if (pkt->type == NHRP_ERROR_INDICATION ||
	    pkt->type == NHRP_TRAFFIC_INDICATION) {
		if (pkt->cies.n != 0)
			return -NHRP_E_INVALID;
	} else if (pkt->payload_len != 0)
		return -NHRP_E_INVALID;
	if (size > UINT16_MAX)
		size = UINT16_MAX;	/* the size field is 16 bits */

	nhrp_wbuf_init(&w, buf, size);
	if (nhrp_wbuf_u16(&w, pkt->afn) < 0 ||
	    nhrp_wbuf_u16(&w, pkt->pro_type) < 0 ||
	    nhrp_wbuf_put(&w, pkt->pro_snap, sizeof(pkt->pro_snap)) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->hop_count) < 0 ||
	    nhrp_wbuf_u16(&w, 0) < 0 ||		/* size */
	    nhrp_wbuf_u16(&w, 0) < 0 ||		/* checksum */
	    nhrp_wbuf_u16(&w, 0) < 0 ||		/* extension offset */
	    nhrp_wbuf_u8(&w, pkt->version) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->type) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->src_nbma.len) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->src_nbma_sub.len) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->src_proto.len) < 0 ||
	    nhrp_wbuf_u8(&w, pkt->dst_proto.len) < 0 ||
	    nhrp_wbuf_u16(&w, pkt->flags) < 0)
		return -NHRP_E_TOO_BIG;
	if (pkt->type == NHRP_ERROR_INDICATION) {
		if (nhrp_wbuf_u16(&w, pkt->error_code) < 0 ||
		    nhrp_wbuf_u16(&w, pkt->error_offset) < 0)
			return -NHRP_E_TOO_BIG;
	} else if (nhrp_wbuf_u32(&w, pkt->request_id) < 0)
		return -NHRP_E_TOO_BIG;
	if (put_addr(&w, &pkt->src_nbma) < 0 ||
	    put_addr(&w, &pkt->src_nbma_sub) < 0 ||
	    put_addr(&w, &pkt->src_proto) < 0 ||
	    put_addr(&w, &pkt->dst_proto) < 0)
		return -NHRP_E_TOO_BIG;

	if (pkt->type == NHRP_ERROR_INDICATION ||
	    pkt->type == NHRP_TRAFFIC_INDICATION) {
		if (nhrp_wbuf_put(&w, pkt->payload, pkt->payload_len) < 0)
			return -NHRP_E_TOO_BIG;
	} else if ((err = build_cie_list(&w, &pkt->cies, famlen, pfamlen)) < 0)
		return err;

	extoff = w.off;
	if ((err = build_extensions(&w, pkt, famlen, pfamlen)) < 0)
		return err;

	if (nhrp_wbuf_patch16(&w, OFF_SIZE, (uint16_t)w.off) < 0 ||
	    nhrp_wbuf_patch16(&w, OFF_EXTOFF, (uint16_t)extoff) < 0)
		return -NHRP_E_INVALID;
	ck = nhrp_checksum(buf, w.off);
	if (nhrp_wbuf_patch16(&w, OFF_CKSUM, ck) < 0)
		return -NHRP_E_INVALID;
	return (ssize_t)w.off;
}

/* ---- comparison ---------------------------------------------------------- */

static int
addr_same(const struct nhrp_addr *a, const struct nhrp_addr *b)
{
	return a->afn == b->afn && a->len == b->len &&
	    memcmp(a->addr, b->addr, a->len) == 0;
}

static int
cie_list_same(const struct nhrp_cie_list *a, const struct nhrp_cie_list *b)
{
	const struct nhrp_cie *x, *y;
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		x = &a->cie[i];
		y = &b->cie[i];
		if (x->code != y->code || x->prefix_len != y->prefix_len ||
		    x->unused != y->unused || x->mtu != y->mtu ||
		    x->holding_time != y->holding_time ||
		    x->preference != y->preference ||
		    !addr_same(&x->nbma, &y->nbma) ||
		    !addr_same(&x->nbma_sub, &y->nbma_sub) ||
		    !addr_same(&x->proto, &y->proto))
			return 0;
	}
	return 1;
}

int
nhrp_packet_equal(const struct nhrp_packet *a, const struct nhrp_packet *b)
{
	const struct nhrp_ext *x, *y;
	size_t i;

	if (a->afn != b->afn || a->pro_type != b->pro_type ||
	    memcmp(a->pro_snap, b->pro_snap, sizeof(a->pro_snap)) != 0 ||
	    a->hop_count != b->hop_count || a->version != b->version ||
	    a->type != b->type || a->flags != b->flags ||
	    a->request_id != b->request_id ||
	    a->error_code != b->error_code ||
	    a->error_offset != b->error_offset ||
	    !addr_same(&a->src_nbma, &b->src_nbma) ||
	    !addr_same(&a->src_nbma_sub, &b->src_nbma_sub) ||
	    !addr_same(&a->src_proto, &b->src_proto) ||
	    !addr_same(&a->dst_proto, &b->dst_proto) ||
	    !cie_list_same(&a->cies, &b->cies) ||
	    a->payload_len != b->payload_len ||
	    (a->payload_len != 0 &&
	    memcmp(a->payload, b->payload, a->payload_len) != 0) ||
	    a->next != b->next || a->trailer_len != b->trailer_len)
		return 0;
	for (i = 0; i < a->next; i++) {
		x = &a->ext[i];
		y = &b->ext[i];
		if (x->type != y->type || x->compulsory != y->compulsory ||
		    x->is_cie_list != y->is_cie_list ||
		    !cie_list_same(&x->cies, &y->cies) ||
		    x->raw_len != y->raw_len ||
		    (x->raw_len != 0 && memcmp(x->raw, y->raw, x->raw_len) != 0))
			return 0;
	}
	return 1;
}

/* ---- names ------------------------------------------------------------- */

const char *
nhrp_packet_type_name(uint8_t type)
{
	switch (type) {
	case NHRP_RESOLUTION_REQUEST:
		return "Resolution Request";
	case NHRP_RESOLUTION_REPLY:
		return "Resolution Reply";
	case NHRP_REGISTRATION_REQUEST:
		return "Registration Request";
	case NHRP_REGISTRATION_REPLY:
		return "Registration Reply";
	case NHRP_PURGE_REQUEST:
		return "Purge Request";
	case NHRP_PURGE_REPLY:
		return "Purge Reply";
	case NHRP_ERROR_INDICATION:
		return "Error Indication";
	case NHRP_TRAFFIC_INDICATION:
		return "Traffic Indication";
	}
	return "unknown";
}

const char *
nhrp_cie_code_name(uint8_t code)
{
	switch (code) {
	case NHRP_CODE_SUCCESS:
		return "success";
	case NHRP_CODE_ADMIN_PROHIBITED:
		return "administratively prohibited";
	case NHRP_CODE_INSUFFICIENT_RESOURCES:
		return "insufficient resources";
	case NHRP_CODE_NO_BINDING:
		return "no binding exists";
	case NHRP_CODE_BINDING_NON_UNIQUE:
		return "binding non-unique";
	case NHRP_CODE_UNIQUE_ADDRESS_REGISTERED:
		return "unique address already registered";
	}
	return "unknown";
}

const char *
nhrp_error_code_name(uint16_t code)
{
	switch (code) {
	case NHRP_ERR_UNRECOGNIZED_EXTENSION:
		return "Unrecognized Extension";
	case NHRP_ERR_LOOP_DETECTED:
		return "Loop Detected";
	case NHRP_ERR_PROTOCOL_UNREACHABLE:
		return "Protocol Address Unreachable";
	case NHRP_ERR_PROTOCOL_ERROR:
		return "Protocol Error";
	case NHRP_ERR_SDU_SIZE_EXCEEDED:
		return "SDU Size Exceeded";
	case NHRP_ERR_INVALID_EXTENSION:
		return "Invalid Extension";
	case NHRP_ERR_INVALID_RES_REPLY:
		return "Invalid Resolution Reply";
	case NHRP_ERR_AUTH_FAILURE:
		return "Authentication Failure";
	case NHRP_ERR_HOP_COUNT_EXCEEDED:
		return "Hop Count Exceeded";
	}
	return "unknown";
}

const char *
nhrp_codec_strerror(int err)
{
	static const char *const msg[NHRP_E_MAX] = {
		[NHRP_OK] = "success",
		[NHRP_E_TRUNCATED] = "packet truncated",
		[NHRP_E_SIZE] = "bad packet size",
		[NHRP_E_CHECKSUM] = "bad checksum",
		[NHRP_E_VERSION] = "unsupported version",
		[NHRP_E_TYPE] = "unknown packet type",
		[NHRP_E_AFN] = "unsupported address family",
		[NHRP_E_ADDR_LEN] = "bad address length",
		[NHRP_E_EXT_OFFSET] = "bad extension offset",
		[NHRP_E_CIE_OVERRUN] = "CIE list does not fit the payload",
		[NHRP_E_EXT_OVERRUN] = "extension longer than the packet",
		[NHRP_E_EXT_NO_END] = "no End extension",
		[NHRP_E_EXT_DUPLICATE] = "duplicate extension",
		[NHRP_E_EXT_UNKNOWN_COMPULSORY] =
		    "unrecognized compulsory extension",
		[NHRP_E_EXT_BAD] = "malformed extension",
		[NHRP_E_NOMEM] = "out of memory",
		[NHRP_E_TOO_BIG] = "packet too big",
		[NHRP_E_INVALID] = "invalid packet",
	};

	if (err < 0) {
		if (err <= -NHRP_E_MAX)
			return "unknown error";
		err = -err;
	}
	if (err >= NHRP_E_MAX || msg[err] == NULL)
		return "unknown error";
	return msg[err];
}
