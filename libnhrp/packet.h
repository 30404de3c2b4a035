/*
 * packet.h - the NHRP wire codec (RFC 2332 plus Cisco extensions).
 *
 * Pure: no I/O, no logging, no globals.  nhrp_packet_parse() turns bytes
 * into a struct nhrp_packet that owns copies of everything it needs;
 * nhrp_packet_build() turns it back into bytes, filling in the size, the
 * extension offset and the checksum.  Parse then build of a received
 * packet gives the same bytes (unknown extensions are kept byte-exact).
 */
#ifndef NHRP_PACKET_H
#define NHRP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

/* Fixed header and mandatory part */
#define NHRP_FIXED_HDR_LEN	20
#define NHRP_MANDATORY_LEN	8
#define NHRP_HDR_LEN		(NHRP_FIXED_HDR_LEN + NHRP_MANDATORY_LEN)
#define NHRP_CIE_HDR_LEN	12
#define NHRP_EXT_HDR_LEN	4
#define NHRP_VERSION_RFC2332	1
#define NHRP_ETHERTYPE		0x2001
#define NHRP_PROTO_IPV4		0x0800
#define NHRP_PROTO_IPV6		0x86dd
#define NHRP_HOP_COUNT		16
#define NHRP_EI_PADDING		16	/* zero bytes after End in Error Indications */

/* Packet types */
#define NHRP_RESOLUTION_REQUEST		1
#define NHRP_RESOLUTION_REPLY		2
#define NHRP_REGISTRATION_REQUEST	3
#define NHRP_REGISTRATION_REPLY		4
#define NHRP_PURGE_REQUEST		5
#define NHRP_PURGE_REPLY		6
#define NHRP_ERROR_INDICATION		7
#define NHRP_TRAFFIC_INDICATION		8	/* Cisco */
#define NHRP_TYPE_MAX			8

/* Flags (meaning depends on the packet type) */
#define NHRP_FLAG_RES_Q		0x8000	/* source is a router */
#define NHRP_FLAG_RES_A		0x4000	/* authoritative */
#define NHRP_FLAG_RES_D		0x2000	/* destination is stable */
#define NHRP_FLAG_RES_U		0x1000	/* unique */
#define NHRP_FLAG_RES_S		0x0800	/* source is stable */
#define NHRP_FLAG_REG_U		0x8000	/* unique */
#define NHRP_FLAG_PURGE_N	0x8000	/* no reply */
#define NHRP_FLAG_CISCO_NAT	0x0002	/* Cisco NAT extension supported */

/* Extension types (without the compulsory bit) */
#define NHRP_EXT_COMPULSORY		0x8000
#define NHRP_EXT_END			0
#define NHRP_EXT_RESPONDER		3
#define NHRP_EXT_FORWARD_TRANSIT	4
#define NHRP_EXT_REVERSE_TRANSIT	5
#define NHRP_EXT_AUTH			7
#define NHRP_EXT_VENDOR			8
#define NHRP_EXT_NAT_ADDRESS		9	/* Cisco */

/* Error Indication codes */
#define NHRP_ERR_UNRECOGNIZED_EXTENSION	1
#define NHRP_ERR_LOOP_DETECTED		2
#define NHRP_ERR_PROTOCOL_UNREACHABLE	6
#define NHRP_ERR_PROTOCOL_ERROR		7
#define NHRP_ERR_SDU_SIZE_EXCEEDED	8
#define NHRP_ERR_INVALID_EXTENSION	9
#define NHRP_ERR_INVALID_RES_REPLY	10
#define NHRP_ERR_AUTH_FAILURE		11
#define NHRP_ERR_HOP_COUNT_EXCEEDED	15

/* CIE codes */
#define NHRP_CODE_SUCCESS			0
#define NHRP_CODE_ADMIN_PROHIBITED		4
#define NHRP_CODE_INSUFFICIENT_RESOURCES	5
#define NHRP_CODE_NO_BINDING			11
#define NHRP_CODE_BINDING_NON_UNIQUE		13
#define NHRP_CODE_UNIQUE_ADDRESS_REGISTERED	14

struct nhrp_cie {
	uint8_t		code;
	uint8_t		prefix_len;	/* 0xff on the wire in registrations */
	uint16_t	unused;		/* kept for byte-exact re-encoding */
	uint16_t	mtu;
	uint16_t	holding_time;
	uint8_t		preference;
	struct nhrp_addr nbma;		/* afn = packet afn; absent: all zero */
	struct nhrp_addr nbma_sub;	/* subaddress, normally absent */
	struct nhrp_addr proto;		/* afn from the protocol type */
};

struct nhrp_cie_list {
	struct nhrp_cie	*cie;
	size_t		 n, cap;
};

struct nhrp_ext {
	uint16_t	type;		/* without NHRP_EXT_COMPULSORY */
	bool		compulsory;
	bool		is_cie_list;	/* types 3, 4, 5, 9 */
	struct nhrp_cie_list cies;	/* when is_cie_list */
	uint8_t		*raw;		/* payload copy otherwise */
	size_t		 raw_len;
};

struct nhrp_packet {
	/* fixed header */
	uint16_t	afn;		/* NBMA address family */
	uint16_t	pro_type;	/* protocol type (ethertype) */
	uint8_t		pro_snap[5];
	uint8_t		hop_count;
	uint8_t		version;
	uint8_t		type;
	/* mandatory part */
	uint16_t	flags;		/* Error Indication: the "unused" field */
	uint32_t	request_id;	/* Traffic Indication: traffic code << 16 */
	uint16_t	error_code;	/* Error Indication only */
	uint16_t	error_offset;	/* Error Indication only */
	struct nhrp_addr src_nbma;
	struct nhrp_addr src_nbma_sub;
	struct nhrp_addr src_proto;
	struct nhrp_addr dst_proto;
	/* payload: CIEs (types 1-6), or raw bytes (types 7, 8) */
	struct nhrp_cie_list cies;
	uint8_t		*payload;
	size_t		 payload_len;
	/* extensions, in wire order, End excluded */
	struct nhrp_ext	*ext;
	size_t		 next, ext_cap;
	bool		 has_end;	/* End seen (parse) / emitted (build) */
	/* bytes after End (the 16 zero bytes of Error Indications) */
	size_t		 trailer_len;
};

/* Codec errors: negative return values */
enum nhrp_codec_err {
	NHRP_OK = 0,
	NHRP_E_TRUNCATED = 1,		/* shorter than the header or a field */
	NHRP_E_SIZE,			/* packet size field != bytes given */
	NHRP_E_CHECKSUM,
	NHRP_E_VERSION,
	NHRP_E_TYPE,			/* unknown packet type */
	NHRP_E_AFN,			/* address family not supported */
	NHRP_E_ADDR_LEN,		/* address length against family */
	NHRP_E_EXT_OFFSET,		/* extension offset inside header / beyond end */
	NHRP_E_CIE_OVERRUN,		/* CIE list does not consume the payload */
	NHRP_E_EXT_OVERRUN,		/* extension longer than the packet */
	NHRP_E_EXT_NO_END,		/* ran out of data before End */
	NHRP_E_EXT_DUPLICATE,		/* duplicate extension type */
	NHRP_E_EXT_UNKNOWN_COMPULSORY,	/* unknown extension with C bit */
	NHRP_E_EXT_BAD,			/* malformed known extension */
	NHRP_E_NOMEM,
	NHRP_E_TOO_BIG,			/* build: does not fit the buffer */
	NHRP_E_INVALID,			/* build: inconsistent packet */
	NHRP_E_MAX
};
const char *nhrp_codec_strerror(int err);	/* accepts err or -err */

/* RFC 1071 checksum, correct for odd lengths (final byte = high byte). */
uint16_t nhrp_checksum(const uint8_t *, size_t);
/*
 * Recomputes the checksum field of the packet in buf (len bytes given)
 * over its packet size field, e.g. after patching the hop count.  Returns
 * 0, or -NHRP_E_TRUNCATED / -NHRP_E_SIZE when the size field is unusable.
 */
int	nhrp_packet_fix_checksum(uint8_t *, size_t);

struct nhrp_parse_info {
	size_t	error_offset;	/* byte offset of the offending field */
	uint16_t unknown_ext;	/* NHRP_E_EXT_UNKNOWN_COMPULSORY: the type */
};

/*
 * Parses len bytes.  Returns 0 and fills *pkt (free with
 * nhrp_packet_clear()), or a negative NHRP_E_* and leaves *pkt cleared.
 * info may be NULL.
 */
int	nhrp_packet_parse(const uint8_t *, size_t, struct nhrp_packet *,
	    struct nhrp_parse_info *);
/*
 * Builds the packet into buf.  Sets size, extension offset (always, also
 * with no extensions) and checksum; appends End and, for Error
 * Indications, trailer_len zero bytes.  Returns the length or a negative
 * NHRP_E_*.
 *
 * Notes (codec): trailer_len zero bytes are written for any type (parse
 * sets it for any type).  -NHRP_E_INVALID for: type not 1..8, version not
 * 1, unknown afn or protocol type, an address length other than 0 or the
 * family's, CIEs in types 7/8 or a raw payload in types 1-6, End or a
 * duplicate type in pkt->ext, is_cie_list not matching the type.
 * Parse then build is byte-exact except: bytes after the packet size
 * field are dropped, bytes after End come back as zeros, an End without
 * the compulsory bit comes back with it, and a packet without extensions
 * (offset 0) gets End and an offset.  Parse is strict: NBMA type/length
 * bytes with bit 6 or 7 set, or a subaddress length other than 0 or the
 * family's, are NHRP_E_ADDR_LEN; absent addresses are all zero (afn 0).
 */
ssize_t	nhrp_packet_build(const struct nhrp_packet *, uint8_t *buf, size_t size);
/*
 * Lenient parse of the fixed header, mandatory part and the four
 * addresses only (no size, checksum, version, type, payload or extension
 * checks), for the offending packet embedded in an Error Indication:
 * fills afn, pro_type, pro_snap, hop_count, version, type, flags,
 * request_id (error_code/offset for type 7) and the addresses.  The
 * families and address lengths must still be valid.  Returns 0 or a
 * negative NHRP_E_*; nothing to free.
 */
int	nhrp_packet_parse_header_only(const uint8_t *, size_t,
	    struct nhrp_packet *);
/* 1 when both packets have the same fields (has_end not compared). */
int	nhrp_packet_equal(const struct nhrp_packet *,
	    const struct nhrp_packet *);

void	nhrp_packet_init(struct nhrp_packet *, uint8_t type);	/* IPv4 defaults */
void	nhrp_packet_clear(struct nhrp_packet *);
int	nhrp_packet_copy(struct nhrp_packet *dst, const struct nhrp_packet *src);

/* CIE lists */
struct nhrp_cie *nhrp_cie_list_add(struct nhrp_cie_list *);	/* zeroed, NULL on ENOMEM */
void	nhrp_cie_list_clear(struct nhrp_cie_list *);

/* Extensions */
struct nhrp_ext *nhrp_packet_ext_find(struct nhrp_packet *, uint16_t type);
const struct nhrp_ext *nhrp_packet_ext_find_const(const struct nhrp_packet *,
	    uint16_t type);
/*
 * Appends a new extension (CIE list for 3/4/5/9), NULL on ENOMEM.  When
 * the type is present already, returns the existing one unchanged (a
 * packet holds each type at most once).  Pointers into pkt->ext stay
 * valid while a packet has at most 8 extensions; more may move them.
 */
struct nhrp_ext *nhrp_packet_ext_add(struct nhrp_packet *, uint16_t type,
	    bool compulsory);
int	nhrp_ext_set_raw(struct nhrp_ext *, const void *, size_t);
void	nhrp_packet_ext_remove(struct nhrp_packet *, uint16_t type);

/* Names for logs and tests */
const char *nhrp_packet_type_name(uint8_t type);
const char *nhrp_cie_code_name(uint8_t code);
const char *nhrp_error_code_name(uint16_t code);

#endif
