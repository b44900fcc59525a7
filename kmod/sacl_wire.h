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
 * What idmesh adds, always 24 bytes: a new Hop-by-Hop header (next
 * header, length, PadN of 4, the option), or, appended to an existing
 * one, a PadN of 6 and the option. Either way the option's type byte
 * sits at 8n+6 and the two IDs are 8-byte aligned.
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

/* How to take the option out again. */
enum idm_sacl_strip {
	IDM_STRIP_HEADER,	/* the header holds nothing else: remove it */
	IDM_STRIP_TAIL,		/* our 24 appended bytes end it: cut them */
	IDM_STRIP_PAD,		/* other options around it: pad over it */
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
void idm_sacl_build_tail(u8 *p, u8 type, const struct idm_sacl_ids *ids);
enum idm_sacl_strip idm_sacl_strip_how(const u8 *hbh, unsigned int len,
				       unsigned int off);

#endif /* _IDMESH_SACL_WIRE_H */
