// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: building, finding and removing the SACL option in an IPv6
 * Hop-by-Hop header (RFC 8200 §4.3) and among IPv4 options (RFC 791).
 * The header or the options are given whole, as bytes: the caller has
 * made them linear.
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
 * The option of olen bytes at i, either family: when it is ours, its IDs
 * (and where it is); ours twice, or of another size, is malformed.
 */
static int idm_sacl_take(const u8 *p, unsigned int i, unsigned int olen,
			 u8 type, int *found, struct idm_sacl_ids *ids,
			 unsigned int *off)
{
	if (p[i] != type)
		return 0;
	if (*found || olen != IDM_SACL_OPT_SIZE)
		return -EBADMSG;
	ids->client = idm_get_be64(p + i + 2);
	ids->server = idm_get_be64(p + i + 10);
	*off = i;
	*found = 1;
	return 0;
}

/*
 * Whether a header of len bytes holds, at off, an option of our size
 * behind a PadN of 4 and nothing else: idm_sacl_build_header()'s, if the
 * option is ours.
 */
static bool idm_sacl_built(const u8 *hbh, unsigned int len, unsigned int off)
{
	return len == IDM_SACL_ADD && off == IDM_SACL_ADD - IDM_SACL_OPT_SIZE &&
	       hbh[2] == IDM_OPT_PADN && hbh[3] == off - 4 &&
	       hbh[off + 1] == IDM_SACL_OPT_SIZE - 2;
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
	/* The header idm_sacl_build_header() makes, found without a walk. */
	if (idm_sacl_built(hbh, len, IDM_SACL_ADD - IDM_SACL_OPT_SIZE) &&
	    hbh[IDM_SACL_ADD - IDM_SACL_OPT_SIZE] == type) {
		i = IDM_SACL_ADD - IDM_SACL_OPT_SIZE;
		idm_sacl_take(hbh, i, IDM_SACL_OPT_SIZE, type, &found, ids, off);
		return found;
	}
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
		if (idm_sacl_take(hbh, i, olen, type, &found, ids, off))
			return -EBADMSG;
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

/* Padding of n bytes, 0 to 7: nothing, a Pad1 or a PadN. */
static void idm_pad(u8 *p, unsigned int n)
{
	if (!n)
		return;
	if (n == 1) {
		p[0] = IDM_OPT_PAD1;
		return;
	}
	p[0] = IDM_OPT_PADN;
	p[1] = n - 2;
	memset(p + 2, 0, n - 2);
}

static unsigned int idm_opt_len(const u8 *hbh, unsigned int i)
{
	return hbh[i] == IDM_OPT_PAD1 ? 1 : 2 + hbh[i + 1];
}

static bool idm_is_pad(const u8 *hbh, unsigned int i)
{
	return hbh[i] == IDM_OPT_PAD1 || hbh[i] == IDM_OPT_PADN;
}

/*
 * Around the option at off of a header idm_sacl_parse() accepted (off ==
 * len: after the last option): *a is where the options before it end
 * (2 when none), *b where the first one after it starts (len when none),
 * padding not counted as an option. Returns whether the header holds any
 * option but padding and the one at off.
 */
static bool idm_sacl_around(const u8 *hbh, unsigned int len, unsigned int off,
			    unsigned int *a, unsigned int *b)
{
	bool others = false;
	unsigned int i = 2;

	*a = 2;
	*b = len;
	while (i < len) {
		unsigned int olen = idm_opt_len(hbh, i);

		if (i != off && !idm_is_pad(hbh, i)) {
			others = true;
			if (i < off)
				*a = i + olen;
			else if (*b == len)
				*b = i;
		}
		i += olen;
	}
	return others;
}

/*
 * How many bytes of a header idm_sacl_parse() accepted stay when the
 * option is appended: all but its trailing padding, which the option's
 * own padding replaces.
 */
unsigned int idm_sacl_keep(const u8 *hbh, unsigned int len)
{
	unsigned int a, b;

	idm_sacl_around(hbh, len, len, &a, &b);
	return a;
}

/*
 * Append the option to a header whose first keep bytes are in place (at
 * least the next header byte and, from 2, its options), with the padding
 * before it that puts its type at 8n+6; the header's length field follows.
 * The header is idm_sacl_append_len(keep) bytes after.
 */
void idm_sacl_append(u8 *hbh, unsigned int keep, u8 type,
		     const struct idm_sacl_ids *ids)
{
	unsigned int pad = (6 - keep) & 7;

	idm_pad(hbh + keep, pad);
	idm_sacl_put_opt(hbh + keep + pad, type, ids);
	hbh[1] = idm_sacl_append_len(keep) / 8 - 1;
}

/* A new 24-byte Hop-by-Hop header in front of nexthdr. */
void idm_sacl_build_header(u8 *p, u8 nexthdr, u8 type,
			   const struct idm_sacl_ids *ids)
{
	p[0] = nexthdr;
	idm_sacl_append(p, 2, type, ids);
}

/*
 * Take the option at off out of a header idm_sacl_parse() accepted, in
 * place: it goes with the padding on both sides, the options after it
 * move up by a multiple of 8 (their alignment kept) behind 0 to 7 bytes of
 * new padding, and the length field follows. Returns the new length, or 0
 * when the header holds nothing else and is to be removed whole.
 */
unsigned int idm_sacl_strip(u8 *hbh, unsigned int len, unsigned int off)
{
	unsigned int a, b, pad;

	/* Ours alone, as a gateway builds it: no walk to know it. */
	if (idm_sacl_built(hbh, len, off))
		return 0;
	if (!idm_sacl_around(hbh, len, off, &a, &b))
		return 0;
	pad = (b - a) & 7;
	idm_pad(hbh + a, pad);
	memmove(hbh + a + pad, hbh + b, len - b);
	len = a + pad + len - b;
	hbh[1] = len / 8 - 1;
	return len;
}

/*
 * IPv4 options of len bytes (a multiple of 4, at most 40): returns 1 and
 * fills ids and *off (the option's type byte, from the options' start)
 * when the option of this type is there once, 0 when it is not, -EBADMSG
 * when they are malformed: an option running past the end or shorter
 * than 2, ours of another length, or ours twice. *end is where the
 * options end: at the End of Options List, or len.
 */
int idm_sacl4_parse(const u8 *opts, unsigned int len, u8 type,
		    struct idm_sacl_ids *ids, unsigned int *off,
		    unsigned int *end)
{
	unsigned int i = 0;
	int found = 0;

	if (len % 4 || len > IDM_IPV4_OPTS_MAX)
		return -EBADMSG;
	while (i < len && opts[i] != IDM_IPOPT_EOL) {
		unsigned int olen;

		if (opts[i] == IDM_IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 2 > len)
			return -EBADMSG;
		olen = opts[i + 1];
		if (olen < 2 || i + olen > len)
			return -EBADMSG;
		if (idm_sacl_take(opts, i, olen, type, &found, ids, off))
			return -EBADMSG;
		i += olen;
	}
	*end = i;
	return found;
}

/* NOPs, then the option, after the first end bytes of the options. */
void idm_sacl4_append(u8 *opts, unsigned int end, u8 type,
		      const struct idm_sacl_ids *ids)
{
	unsigned int pad = (2 - end) & 3;

	memset(opts + end, IDM_IPOPT_NOP, pad);
	idm_sacl_put_opt(opts + end + pad, type, ids);
	/* An IPv4 option's length counts its type and length bytes. */
	opts[end + pad + 1] = IDM_SACL_OPT_SIZE;
}

/*
 * Take the option at off out of options idm_sacl4_parse() accepted, in
 * place, with the NOPs right in front of it; NOPs where it was make the
 * length a multiple of 4 again, and what follows moves up. Returns the
 * new length (len less what the options after it moved), or 0 when
 * nothing but NOPs and padding is left.
 */
unsigned int idm_sacl4_strip(u8 *opts, unsigned int len, unsigned int off)
{
	unsigned int a = 0, b = off + IDM_SACL_OPT_SIZE, pad, i = 0;

	/* a: where the options before it end, NOPs not counted. */
	while (i < off) {
		if (opts[i] == IDM_IPOPT_NOP) {
			i++;
			continue;
		}
		i += opts[i + 1];
		a = i;
	}
	pad = (b - a) & 3;
	memmove(opts + a + pad, opts + b, len - b);
	memset(opts + a, IDM_IPOPT_NOP, pad);
	len -= b - a - pad;
	for (i = 0; i < len && opts[i] != IDM_IPOPT_EOL; i++)
		if (opts[i] != IDM_IPOPT_NOP)
			return len;
	return 0;
}
