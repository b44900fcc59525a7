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

#endif /* _IDMESH_SACL_WIRE_H */
