/*
 * buf.h - bounds-checked big-endian read and write cursors.
 *
 * Every accessor checks the remaining length first and returns -1 without
 * touching anything when the field does not fit; the cursor never moves
 * past its end.  Used by the wire codec; pure, header-only.
 */
#ifndef NHRP_BUF_H
#define NHRP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nhrp_rbuf {
	const uint8_t	*base;
	size_t		 off;	/* next byte to read */
	size_t		 end;	/* one past the last readable byte */
};

struct nhrp_wbuf {
	uint8_t		*base;
	size_t		 off;	/* next byte to write */
	size_t		 end;	/* capacity */
};

static inline void
nhrp_rbuf_init(struct nhrp_rbuf *r, const uint8_t *p, size_t off, size_t end)
{
	r->base = p;
	r->off = off;
	r->end = end;
}

static inline size_t
nhrp_rbuf_left(const struct nhrp_rbuf *r)
{
	return r->off < r->end ? r->end - r->off : 0;
}

static inline int
nhrp_rbuf_skip(struct nhrp_rbuf *r, size_t n)
{
	if (nhrp_rbuf_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

static inline int
nhrp_rbuf_get(struct nhrp_rbuf *r, void *dst, size_t n)
{
	if (nhrp_rbuf_left(r) < n)
		return -1;
	if (n != 0)
		memcpy(dst, r->base + r->off, n);
	r->off += n;
	return 0;
}

static inline int
nhrp_rbuf_u8(struct nhrp_rbuf *r, uint8_t *v)
{
	if (nhrp_rbuf_left(r) < 1)
		return -1;
	*v = r->base[r->off++];
	return 0;
}

static inline int
nhrp_rbuf_u16(struct nhrp_rbuf *r, uint16_t *v)
{
	if (nhrp_rbuf_left(r) < 2)
		return -1;
	*v = (uint16_t)((r->base[r->off] << 8) | r->base[r->off + 1]);
	r->off += 2;
	return 0;
}

static inline int
nhrp_rbuf_u32(struct nhrp_rbuf *r, uint32_t *v)
{
	const uint8_t *p;

	if (nhrp_rbuf_left(r) < 4)
		return -1;
	p = r->base + r->off;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3];
	r->off += 4;
	return 0;
}

static inline void
nhrp_wbuf_init(struct nhrp_wbuf *w, uint8_t *p, size_t size)
{
	w->base = p;
	w->off = 0;
	w->end = size;
}

static inline int
nhrp_wbuf_put(struct nhrp_wbuf *w, const void *src, size_t n)
{
	if (w->off > w->end || w->end - w->off < n)
		return -1;
	if (n != 0)
		memcpy(w->base + w->off, src, n);
	w->off += n;
	return 0;
}

static inline int
nhrp_wbuf_zero(struct nhrp_wbuf *w, size_t n)
{
	if (w->off > w->end || w->end - w->off < n)
		return -1;
	if (n != 0)
		memset(w->base + w->off, 0, n);
	w->off += n;
	return 0;
}

static inline int
nhrp_wbuf_u8(struct nhrp_wbuf *w, uint8_t v)
{
	return nhrp_wbuf_put(w, &v, 1);
}

static inline int
nhrp_wbuf_u16(struct nhrp_wbuf *w, uint16_t v)
{
	uint8_t b[2];

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return nhrp_wbuf_put(w, b, 2);
}

static inline int
nhrp_wbuf_u32(struct nhrp_wbuf *w, uint32_t v)
{
	uint8_t b[4];

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return nhrp_wbuf_put(w, b, 4);
}

/* Overwrites a 16-bit field already written at off. */
static inline int
nhrp_wbuf_patch16(struct nhrp_wbuf *w, size_t off, uint16_t v)
{
	if (off > w->off || w->off - off < 2)
		return -1;
	w->base[off] = (uint8_t)(v >> 8);
	w->base[off + 1] = (uint8_t)v;
	return 0;
}

#endif
