// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: building, finding and removing the SACL option in an IPv6
 * Hop-by-Hop header (RFC 8200 §4.3). The header is given whole, as
 * bytes: the caller has made them linear.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <uapi/linux/idmesh.h>

#include "sacl_wire.h"

/* The IDs sit at any alignment in the caller's buffer. */
static u64 idm_get_be64(const u8 *p)
{
	__be64 v;

	memcpy(&v, p, sizeof(v));
	return be64_to_cpu(v);
}

static void idm_put_be64(u64 x, u8 *p)
{
	__be64 v = cpu_to_be64(x);

	memcpy(p, &v, sizeof(v));
}

/*
 * Walk the options of a Hop-by-Hop header of len bytes (its length field
 * agreeing). Returns 1 and fills ids and *off (the option's type byte,
 * from the header's start) when the option of this type is there once,
 * 0 when it is not, -EBADMSG when the header is malformed: an option
 * running past the end, the length field disagreeing, our option with a
 * length other than 16, or our option twice.
 */
int idm_sacl_parse(const u8 *hbh, unsigned int len, u8 type,
		   struct idm_sacl_ids *ids, unsigned int *off)
{
	unsigned int i = 2;
	int found = 0;

	if (len < 8 || len % 8 || (hbh[1] + 1) * 8 != len)
		return -EBADMSG;
	while (i < len) {
		unsigned int olen;

		if (hbh[i] == IDM_OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > len)
			return -EBADMSG;
		olen = 2 + hbh[i + 1];
		if (i + olen > len)
			return -EBADMSG;
		if (hbh[i] == type) {
			if (found || hbh[i + 1] != IDMESH_SACL_OPT_LEN)
				return -EBADMSG;
			ids->client = idm_get_be64(hbh + i + 2);
			ids->server = idm_get_be64(hbh + i + 10);
			*off = i;
			found = 1;
		}
		i += olen;
	}
	return found;
}

static void idm_sacl_put_opt(u8 *p, u8 type, const struct idm_sacl_ids *ids)
{
	p[0] = type;
	p[1] = IDMESH_SACL_OPT_LEN;
	idm_put_be64(ids->client, p + 2);
	idm_put_be64(ids->server, p + 10);
}

/* PadN covering n >= 2 bytes. */
static void idm_padn(u8 *p, unsigned int n)
{
	p[0] = IDM_OPT_PADN;
	p[1] = n - 2;
	memset(p + 2, 0, n - 2);
}

/* A new 24-byte Hop-by-Hop header in front of nexthdr. */
void idm_sacl_build_header(u8 *p, u8 nexthdr, u8 type,
			   const struct idm_sacl_ids *ids)
{
	p[0] = nexthdr;
	p[1] = IDM_SACL_ADD / 8 - 1;
	idm_padn(p + 2, 4);
	idm_sacl_put_opt(p + 6, type, ids);
}

/* 24 bytes to append to an existing header (whose length is 8n). */
void idm_sacl_build_tail(u8 *p, u8 type, const struct idm_sacl_ids *ids)
{
	idm_padn(p, 6);
	idm_sacl_put_opt(p + 6, type, ids);
}

static bool idm_is_pad(const u8 *hbh, unsigned int i)
{
	return hbh[i] == IDM_OPT_PAD1 || hbh[i] == IDM_OPT_PADN;
}

/*
 * How to remove the option found at off of a header that
 * idm_sacl_parse() accepted, leaving whatever else it carries as it was.
 */
enum idm_sacl_strip idm_sacl_strip_how(const u8 *hbh, unsigned int len,
				       unsigned int off)
{
	bool alone = true;
	unsigned int i = 2;

	while (i < len) {
		if (i != off && !idm_is_pad(hbh, i))
			alone = false;
		i += hbh[i] == IDM_OPT_PAD1 ? 1 : 2 + hbh[i + 1];
	}
	if (alone)
		return IDM_STRIP_HEADER;
	/* Our tail: a PadN of 6 right before the option, which ends it. */
	if (off + IDM_SACL_OPT_SIZE == len && off >= 8 + 6 &&
	    hbh[off - 6] == IDM_OPT_PADN && hbh[off - 5] == 4 &&
	    !memchr_inv(hbh + off - 4, 0, 4))
		return IDM_STRIP_TAIL;
	return IDM_STRIP_PAD;
}
