/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the SACL option's bytes (Documentation/sacl.rst). Pure helpers
 * on a Hop-by-Hop header in a buffer, no skb, no state: KUnit tests them
 * on their own.
 */
#ifndef _IDMESH_SACL_WIRE_H
#define _IDMESH_SACL_WIRE_H

#include <linux/types.h>

/*
 * A new Hop-by-Hop header for the option is 24 bytes: next header,
 * length, PadN of 4, the option. Appended to an existing header, the
 * option replaces the header's trailing padding, after 0 to 7 bytes of
 * new padding, so the header grows by 24, 16 or less. Either way the
 * option's type byte sits at 8n+6 and the two IDs are 8-byte aligned,
 * and no run of padding is longer than 7 bytes (RFC 8200 allows more,
 * Linux drops a packet with more).
 */
#define IDM_SACL_ADD		24
/* The option itself: type, length, client ID, server ID. */
#define IDM_SACL_OPT_SIZE	18
/* A Hop-by-Hop header is at most (255 + 1) * 8 bytes. */
#define IDM_HBH_MAX		2048

#define IDM_OPT_PAD1		0
#define IDM_OPT_PADN		1

struct idm_sacl_ids {
	u64 client;
	u64 server;
};

static inline bool idm_sacl_type_ok(u8 type)
{
	/* Action bits 00: a node that does not know it skips it. */
	return !(type & 0xc0);
}

int idm_sacl_parse(const u8 *hbh, unsigned int len, u8 type,
		   struct idm_sacl_ids *ids, unsigned int *off);
void idm_sacl_build_header(u8 *p, u8 nexthdr, u8 type,
			   const struct idm_sacl_ids *ids);
unsigned int idm_sacl_keep(const u8 *hbh, unsigned int len);

/* The length of a header whose first keep bytes stay, with the option. */
static inline unsigned int idm_sacl_append_len(unsigned int keep)
{
	return keep + ((6 - keep) & 7) + IDM_SACL_OPT_SIZE;
}

void idm_sacl_append(u8 *hbh, unsigned int keep, u8 type,
		     const struct idm_sacl_ids *ids);
unsigned int idm_sacl_strip(u8 *hbh, unsigned int len, unsigned int off);

/*
 * IPv4 (RFC 791 options; Documentation/sacl.rst): the same option, of
 * one of RFC 4727's experimental types, goes after the header's own
 * options, behind 0 to 3 NOPs that make the header a multiple of 4
 * bytes: 20 bytes more for a header whose options fill it. An IPv4
 * header holds at most 40 bytes of options.
 */
#define IDM_SACL4_ADD		20
#define IDM_IPV4_OPTS_MAX	40
#define IDM_IPOPT_EOL		0
#define IDM_IPOPT_NOP		1

/* RFC 4727: 30, 94, 158 and 222, option number 30 in any class. */
static inline bool idm_sacl4_type_ok(u8 type)
{
	return (type & 0x1f) == 30;
}

int idm_sacl4_parse(const u8 *opts, unsigned int len, u8 type,
		    struct idm_sacl_ids *ids, unsigned int *off,
		    unsigned int *end);

/* The options' length with ours appended after their first end bytes. */
static inline unsigned int idm_sacl4_append_len(unsigned int end)
{
	return end + ((2 - end) & 3) + IDM_SACL_OPT_SIZE;
}

void idm_sacl4_append(u8 *opts, unsigned int end, u8 type,
		      const struct idm_sacl_ids *ids);
unsigned int idm_sacl4_strip(u8 *opts, unsigned int len, unsigned int off);

#endif /* _IDMESH_SACL_WIRE_H */
