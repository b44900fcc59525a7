/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the SACL option in a packet (sacl_opt.c): found with the
 * packet's 5-tuple, inserted inline, taken out, either family. The
 * option's bytes are sacl_wire.h's; what to do with a packet is the
 * hook's (sacl_hook.c).
 */
#ifndef _IDMESH_SACL_OPT_H
#define _IDMESH_SACL_OPT_H

#include <linux/skbuff.h>

#include "pkt.h"
#include "sacl_wire.h"

/* What the hook learnt of a packet. */
struct idm_sacl_pkt {
	struct idm_pkt p;
	/* IPv6: the Hop-by-Hop header (0: none); IPv4: the options. */
	unsigned int hbh_len;
	unsigned int off;	/* our option in it */
	unsigned int end;	/* IPv4: where the options end */
	bool on_wire;		/* it came with our option */
	bool tagged;		/* it has IDs */
	struct idm_sacl_ids ids;
	/* The hook's: the ports it comes from and goes to (0: not a port). */
	u32 from, to;
	/* From a port: the address client of its source (NULL: none). */
	const struct idm_sacl_client *client;
	/* The port a connection it opens is charged to (NULL: none). */
	struct idm_flow_owner *owner;
	/* The client and server tables' generation, read before its IDs. */
	unsigned long id_gen;
	/* From a port: the tables' generation it was checked in. */
	unsigned long tables_gen;
	/* From a port: an untagged connection's, the tables changed since. */
	bool recheck;
};

static inline bool idm_is4(const struct idm_sacl_pkt *sp)
{
	return sp->p.key.family == AF_INET;
}

/*
 * Find the Hop-by-Hop header and our option in it, and the 5-tuple.
 * Returns 0, or -EBADMSG for a header to drop, or -EINVAL for a packet
 * the gateway does not handle (truncated, a fragment).
 */
int idm_sacl_parse_skb(struct sk_buff *skb, u8 type, struct idm_sacl_pkt *sp);
/* IPv4: the options and ours among them, and the 5-tuple. */
int idm_sacl_parse_skb4(struct sk_buff *skb, u8 type, struct idm_sacl_pkt *sp);

/*
 * IPv6: how many bytes inserting the option adds (a multiple of 8), and
 * in *keep how many of the Hop-by-Hop header's bytes stay in front of it.
 */
unsigned int idm_sacl_growth(struct sk_buff *skb,
			     const struct idm_sacl_pkt *sp, unsigned int *keep);
/* IPv6: insert the option inline (after keep bytes of the header). */
int idm_sacl_insert(struct sk_buff *skb, unsigned int hbh_len,
		    unsigned int keep, unsigned int add, u8 type,
		    const struct idm_sacl_ids *ids);
/* IPv4: the options' length with ours; their growth is that less hbh_len. */
unsigned int idm_sacl4_new_len(const struct idm_sacl_pkt *sp);
/* IPv4: append the option (add bytes) to the header's options. */
int idm_sacl4_insert(struct sk_buff *skb, const struct idm_sacl_pkt *sp,
		     unsigned int add, u8 type);
/* The option out of a packet that came with it, either family. */
int idm_sacl_take_out(struct sk_buff *skb, const struct idm_sacl_pkt *sp);

#endif /* _IDMESH_SACL_OPT_H */
