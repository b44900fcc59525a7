// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SACL option's bytes: building it (a new Hop-by-Hop
 * header, or appended to one), finding it among other options, refusing
 * malformed headers, and removing it again; and the pure parts of a
 * rule's match (its prefixes, its port ranges).
 */
#include <kunit/test.h>
#include <linux/in.h>

#include "../sacl_wire.c"
#include "../sacl.h"

static const struct idm_sacl_ids ids = {
	.client = 0x0102030405060708ULL,
	.server = 0xa1a2a3a4a5a6a7a8ULL,
};

static void new_header_bytes(struct kunit *test)
{
	static const u8 want[IDM_SACL_ADD] = {
		17, 2,				/* next header UDP, 24 bytes */
		1, 2, 0, 0,			/* PadN of 4 */
		0x1e, 16,			/* our option, 16 bytes */
		1, 2, 3, 4, 5, 6, 7, 8,		/* client ID */
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	};
	u8 buf[IDM_SACL_ADD];

	memset(buf, 0xee, sizeof(buf));
	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	/* The IDs are 8-byte aligned from the header's start. */
	KUNIT_EXPECT_EQ(test, (buf + 8 - buf) % 8, 0);
}

static void build_then_parse(struct kunit *test)
{
	struct idm_sacl_ids got = {};
	unsigned int off = 0;
	u8 buf[IDM_SACL_ADD];

	idm_sacl_build_header(buf, 6, 0x1e, &ids);
	KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 1);
	KUNIT_EXPECT_EQ(test, got.client, ids.client);
	KUNIT_EXPECT_EQ(test, got.server, ids.server);
	KUNIT_EXPECT_EQ(test, off, 6U);
	/* Another type is not ours. */
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x3e, &got, &off), 0);
}

/* The longest run of padding in a header (Linux drops one over 7). */
static unsigned int max_pad_run(const u8 *buf, unsigned int len)
{
	unsigned int i = 2, run = 0, max = 0;

	while (i < len) {
		unsigned int olen = idm_opt_len(buf, i);

		run = idm_is_pad(buf, i) ? run + olen : 0;
		max = max(max, run);
		i += olen;
	}
	return max;
}

/*
 * An existing 8-byte header with a router alert (type 5) and a PadN of 2:
 * the option takes the padding's place, the header grows by 16, and
 * removing the option gives the original bytes back.
 */
static void appended_after_other_options(struct kunit *test)
{
	static const u8 orig[8] = { 58, 0, 5, 2, 0, 0, 1, 0 };
	static const u8 want[24] = {
		58, 2, 5, 2, 0, 0,		/* as it was, less its PadN */
		0x1e, 16,
		1, 2, 3, 4, 5, 6, 7, 8,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	};
	struct idm_sacl_ids got = {};
	unsigned int keep, off = 0;
	u8 buf[24];

	memcpy(buf, orig, sizeof(orig));
	keep = idm_sacl_keep(buf, sizeof(orig));
	KUNIT_EXPECT_EQ(test, keep, 6U);
	KUNIT_ASSERT_EQ(test, idm_sacl_append_len(keep), 24U);
	idm_sacl_append(buf, keep, 0x1e, &ids);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 1);
	KUNIT_EXPECT_EQ(test, off, 6U);
	KUNIT_EXPECT_EQ(test, got.server, ids.server);
	KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, sizeof(buf), off), 8U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, orig, sizeof(orig)), 0);
}

/*
 * Every shape of a pod's own header with one option of 0 to 21 data bytes
 * and its trailing padding (none, Pad1 or PadN): appending puts the IDs
 * on 8 bytes, never makes a run of padding over 7 bytes, grows the header
 * by 16 or 24, and removing the option restores the pod's bytes.
 */
static void appended_to_any_padding(struct kunit *test)
{
	unsigned int d;

	for (d = 0; d <= 21; d++) {
		struct idm_sacl_ids got = {};
		unsigned int len, keep, nlen, off = 0, end = 4 + d;
		u8 orig[32] = { 17, 0, 0x3c, d }, buf[64];

		memset(orig + 4, 0x5a, d);
		len = round_up(end, 8);
		if (len - end == 1) {
			orig[end] = IDM_OPT_PAD1;
		} else if (len > end) {
			orig[end] = IDM_OPT_PADN;
			orig[end + 1] = len - end - 2;
		}
		orig[1] = len / 8 - 1;
		KUNIT_ASSERT_EQ(test, idm_sacl_parse(orig, len, 0x1e, &got, &off), 0);

		memset(buf, 0xee, sizeof(buf));
		memcpy(buf, orig, len);
		keep = idm_sacl_keep(buf, len);
		KUNIT_EXPECT_EQ(test, keep, end);
		nlen = idm_sacl_append_len(keep);
		KUNIT_EXPECT_TRUE(test, nlen - len == 16 || nlen - len == 24);
		idm_sacl_append(buf, keep, 0x1e, &ids);
		KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, nlen, 0x1e, &got, &off), 1);
		KUNIT_EXPECT_EQ(test, off % 8, 6U);
		KUNIT_EXPECT_EQ(test, got.client, ids.client);
		KUNIT_EXPECT_LE(test, max_pad_run(buf, nlen), 7U);
		/* The pod's bytes before the option, but the length field. */
		KUNIT_EXPECT_EQ(test, buf[0], orig[0]);
		KUNIT_EXPECT_EQ(test, memcmp(buf + 2, orig + 2, end - 2), 0);
		KUNIT_EXPECT_EQ(test, buf[1], nlen / 8 - 1);

		KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, nlen, off), len);
		KUNIT_EXPECT_EQ(test, memcmp(buf, orig, len), 0);
	}
}

/*
 * Options after ours move up by a multiple of 8, keeping their alignment,
 * behind no more than 7 bytes of padding.
 */
static void removed_before_other_options(struct kunit *test)
{
	static const u8 want[16] = {
		17, 1, 1, 4, 0, 0, 0, 0,	/* PadN of 6 */
		5, 2, 0, 0, 1, 2, 0, 0,		/* router alert at 8n */
	};
	u8 buf[32] = { 17, 3 };
	struct idm_sacl_ids got = {};
	unsigned int off = 0;

	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	buf[1] = 3;
	memcpy(buf + 24, want + 8, 8);
	KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 1);
	KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, sizeof(buf), off), 16U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	KUNIT_EXPECT_LE(test, max_pad_run(buf, 16), 7U);
}

static void unknown_options_before_ours(struct kunit *test)
{
	/* Pad1, an unknown skippable option (0x3c, 3 bytes), PadN, ours. */
	u8 buf[32] = { 17, 3, 0, 0x3c, 3, 9, 9, 9, 1, 2, 0, 0, 0, 0 };
	static const u8 want[8] = { 17, 0, 0, 0x3c, 3, 9, 9, 9 };
	struct idm_sacl_ids got = {};
	unsigned int off = 0;

	buf[12] = 1;		/* PadN of 2 at 12..13 */
	buf[13] = 0;
	buf[14] = 0x1e;
	buf[15] = 16;
	memset(buf + 16, 0x42, 16);
	/* 8..11 is a PadN of 4 */
	KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 1);
	KUNIT_EXPECT_EQ(test, off, 14U);
	KUNIT_EXPECT_EQ(test, got.client, 0x4242424242424242ULL);
	/* Removed with the padding before it: the pod's 8 bytes stay. */
	KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, sizeof(buf), off), 8U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
}

static void alone_is_removed_whole(struct kunit *test)
{
	u8 buf[IDM_SACL_ADD];

	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, sizeof(buf), 6), 0U);
	KUNIT_EXPECT_EQ(test, buf[0], 17);
}

/*
 * The header a gateway builds is recognised without a walk: what the
 * walk would find, whatever its PadN holds; another type at the same
 * place is not ours, and is walked.
 */
static void built_found_as_walked(struct kunit *test)
{
	struct idm_sacl_ids got = {};
	unsigned int off = 0;
	u8 buf[IDM_SACL_ADD];

	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	buf[4] = 0x55;
	buf[5] = 0xaa;
	KUNIT_ASSERT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 1);
	KUNIT_EXPECT_EQ(test, got.client, ids.client);
	KUNIT_EXPECT_EQ(test, got.server, ids.server);
	KUNIT_EXPECT_EQ(test, off, 6U);
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x2e, &got, &off), 0);
	/* Another option of its size where ours would be: not ours. */
	buf[6] = 0x2e;
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off), 0);
	/* Taken out, ours leaves nothing: the whole header goes. */
	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	KUNIT_EXPECT_EQ(test, idm_sacl_strip(buf, sizeof(buf), 6), 0U);
}

static void truncated_is_malformed(struct kunit *test)
{
	struct idm_sacl_ids got;
	unsigned int off;
	u8 buf[IDM_SACL_ADD];

	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	/* The length field says 24; given fewer bytes. */
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, 16, 0x1e, &got, &off), -EBADMSG);
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, 0, 0x1e, &got, &off), -EBADMSG);
	/* An option running past the header's end. */
	buf[7] = 40;
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off),
			-EBADMSG);
	/* An option's type byte is the header's last byte: no length. */
	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	buf[2] = 1;
	buf[3] = 19;		/* PadN up to byte 22, then a lone type byte */
	buf[23] = 0x07;
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off),
			-EBADMSG);
}

static void over_long_is_malformed(struct kunit *test)
{
	/* Our type with 18 bytes of data: not the format. */
	u8 buf[24] = { 17, 2, 0x1e, 18 };
	struct idm_sacl_ids got;
	unsigned int off;

	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off),
			-EBADMSG);
	/* Shorter than 16 as well. */
	buf[3] = 8;
	buf[12] = 1;
	buf[13] = 8;
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off),
			-EBADMSG);
}

static void duplicated_is_malformed(struct kunit *test)
{
	u8 buf[IDM_SACL_ADD * 2];
	struct idm_sacl_ids got;
	unsigned int off;

	idm_sacl_build_header(buf, 17, 0x1e, &ids);
	KUNIT_ASSERT_EQ(test, idm_sacl_append_len(IDM_SACL_ADD), sizeof(buf));
	idm_sacl_append(buf, IDM_SACL_ADD, 0x1e, &ids);
	KUNIT_EXPECT_EQ(test, idm_sacl_parse(buf, sizeof(buf), 0x1e, &got, &off),
			-EBADMSG);
}

static void type_action_bits(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, idm_sacl_type_ok(0x1e));
	KUNIT_EXPECT_TRUE(test, idm_sacl_type_ok(0x3f));
	KUNIT_EXPECT_FALSE(test, idm_sacl_type_ok(0x5e));	/* 01: discard */
	KUNIT_EXPECT_FALSE(test, idm_sacl_type_ok(0x9e));	/* 10: ICMP */
	KUNIT_EXPECT_FALSE(test, idm_sacl_type_ok(0xde));	/* 11 */
}

/* IPv4: no options yet; ours after two NOPs, 20 bytes. */
static void v4_alone(struct kunit *test)
{
	static const u8 want[IDM_SACL4_ADD] = {
		1, 1, 30, 18,
		1, 2, 3, 4, 5, 6, 7, 8,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	};
	struct idm_sacl_ids got = {};
	unsigned int off = 0, end = 0;
	u8 buf[IDM_SACL4_ADD];

	KUNIT_ASSERT_EQ(test, idm_sacl4_append_len(0), IDM_SACL4_ADD);
	memset(buf, 0xee, sizeof(buf));
	idm_sacl4_append(buf, 0, 30, &ids);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	KUNIT_ASSERT_EQ(test, idm_sacl4_parse(buf, sizeof(buf), 30, &got, &off, &end), 1);
	KUNIT_EXPECT_EQ(test, got.client, ids.client);
	KUNIT_EXPECT_EQ(test, got.server, ids.server);
	KUNIT_EXPECT_EQ(test, off, 2U);
	KUNIT_EXPECT_EQ(test, end, 20U);
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(buf, sizeof(buf), 94, &got, &off, &end), 0);
	/* Nothing but NOPs is left: the options go whole. */
	KUNIT_EXPECT_EQ(test, idm_sacl4_strip(buf, sizeof(buf), 2), 0U);
}

/*
 * A Record Route of 7 bytes and an EOL: ours goes after the route, behind
 * three NOPs (28 bytes); taken out, the route stays where it was.
 */
static void v4_after_record_route(struct kunit *test)
{
	static const u8 orig[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	struct idm_sacl_ids got = {};
	unsigned int off = 0, end = 0, len;
	u8 buf[28];

	memcpy(buf, orig, sizeof(orig));
	KUNIT_ASSERT_EQ(test, idm_sacl4_parse(buf, 8, 30, &got, &off, &end), 0);
	KUNIT_EXPECT_EQ(test, end, 7U);
	KUNIT_ASSERT_EQ(test, idm_sacl4_append_len(end), sizeof(buf));
	idm_sacl4_append(buf, end, 30, &ids);
	KUNIT_EXPECT_EQ(test, memcmp(buf, orig, 7), 0);
	KUNIT_EXPECT_EQ(test, buf[7], 1);
	KUNIT_EXPECT_EQ(test, buf[9], 1);
	KUNIT_ASSERT_EQ(test, idm_sacl4_parse(buf, sizeof(buf), 30, &got, &off, &end), 1);
	KUNIT_EXPECT_EQ(test, off, 10U);
	KUNIT_EXPECT_EQ(test, got.server, ids.server);
	len = idm_sacl4_strip(buf, sizeof(buf), off);
	KUNIT_ASSERT_EQ(test, len, 8U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, orig, 7), 0);
	KUNIT_EXPECT_EQ(test, buf[7], IDM_IPOPT_NOP);
}

/* An option after ours moves up with the strip, whole. */
static void v4_removed_before_other(struct kunit *test)
{
	u8 buf[24] = { 1, 1, 30, 18, 1, 2, 3, 4, 5, 6, 7, 8,
		       1, 2, 3, 4, 5, 6, 7, 8, 148, 4, 0, 0 };
	struct idm_sacl_ids got = {};
	unsigned int off = 0, end = 0;

	KUNIT_ASSERT_EQ(test, idm_sacl4_parse(buf, sizeof(buf), 30, &got, &off, &end), 1);
	KUNIT_ASSERT_EQ(test, idm_sacl4_strip(buf, sizeof(buf), off), 4U);
	KUNIT_EXPECT_EQ(test, buf[0], 148);	/* router alert */
	KUNIT_EXPECT_EQ(test, buf[1], 4);
}

static void v4_malformed(struct kunit *test)
{
	static const u8 short_len[4] = { 7, 1, 0, 0 };
	static const u8 past_end[4] = { 7, 9, 4, 0 };
	static const u8 our_len16[20] = { 1, 1, 30, 16 };
	u8 twice[40] = { 1, 1, 30, 18 };
	struct idm_sacl_ids got;
	unsigned int off, end;

	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(short_len, 4, 30, &got, &off, &end), -EBADMSG);
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(past_end, 4, 30, &got, &off, &end), -EBADMSG);
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(our_len16, 20, 30, &got, &off, &end), -EBADMSG);
	memcpy(twice + 20, twice, 4);
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(twice, 40, 30, &got, &off, &end), -EBADMSG);
	/* Not a multiple of 4, or more than an IPv4 header holds. */
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(twice, 22, 30, &got, &off, &end), -EBADMSG);
	KUNIT_EXPECT_EQ(test, idm_sacl4_parse(twice, 44, 30, &got, &off, &end), -EBADMSG);
}

static void v4_types(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, idm_sacl4_type_ok(30));
	KUNIT_EXPECT_TRUE(test, idm_sacl4_type_ok(94));
	KUNIT_EXPECT_TRUE(test, idm_sacl4_type_ok(158));
	KUNIT_EXPECT_TRUE(test, idm_sacl4_type_ok(222));
	KUNIT_EXPECT_FALSE(test, idm_sacl4_type_ok(7));		/* record route */
	KUNIT_EXPECT_FALSE(test, idm_sacl4_type_ok(31));
}

/* A rule's prefix: 0 bits cover every ID, 64 one, n the first n bits. */
static void rule_prefix_masks(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, idm_prefix_mask(0), 0ULL);
	KUNIT_EXPECT_EQ(test, idm_prefix_mask(1), 0x8000000000000000ULL);
	KUNIT_EXPECT_EQ(test, idm_prefix_mask(16), 0xffff000000000000ULL);
	KUNIT_EXPECT_EQ(test, idm_prefix_mask(64), ~0ULL);
}

/* A rule's ranges: protocol and destination port, ends included. */
static void rule_ranges(struct kunit *test)
{
	static const struct idm_port_range r[] = {
		{ .proto = IPPROTO_TCP, .lo = 80, .hi = 80 },
		{ .proto = IPPROTO_UDP, .lo = 53, .hi = 60 },
		{ .proto = IPPROTO_SCTP, .lo = 1, .hi = 65535 },
	};

	/* None: every connection, of any protocol. */
	KUNIT_EXPECT_TRUE(test, idm_ranges_cover(r, 0, IPPROTO_ICMP, 0));
	KUNIT_EXPECT_TRUE(test, idm_ranges_cover(r, 3, IPPROTO_TCP, 80));
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 3, IPPROTO_TCP, 81));
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 3, IPPROTO_UDP, 80));
	KUNIT_EXPECT_TRUE(test, idm_ranges_cover(r, 3, IPPROTO_UDP, 53));
	KUNIT_EXPECT_TRUE(test, idm_ranges_cover(r, 3, IPPROTO_UDP, 60));
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 3, IPPROTO_UDP, 52));
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 3, IPPROTO_UDP, 61));
	KUNIT_EXPECT_TRUE(test, idm_ranges_cover(r, 3, IPPROTO_SCTP, 65535));
	/* A protocol without ports (ICMP) is in no range. */
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 3, IPPROTO_ICMP, 0));
	/* Only the first n count. */
	KUNIT_EXPECT_FALSE(test, idm_ranges_cover(r, 1, IPPROTO_UDP, 53));
}

static struct kunit_case idm_sacl_cases[] = {
	KUNIT_CASE(rule_prefix_masks),
	KUNIT_CASE(rule_ranges),
	KUNIT_CASE(new_header_bytes),
	KUNIT_CASE(build_then_parse),
	KUNIT_CASE(appended_after_other_options),
	KUNIT_CASE(appended_to_any_padding),
	KUNIT_CASE(removed_before_other_options),
	KUNIT_CASE(unknown_options_before_ours),
	KUNIT_CASE(alone_is_removed_whole),
	KUNIT_CASE(built_found_as_walked),
	KUNIT_CASE(truncated_is_malformed),
	KUNIT_CASE(over_long_is_malformed),
	KUNIT_CASE(duplicated_is_malformed),
	KUNIT_CASE(type_action_bits),
	KUNIT_CASE(v4_alone),
	KUNIT_CASE(v4_after_record_route),
	KUNIT_CASE(v4_removed_before_other),
	KUNIT_CASE(v4_malformed),
	KUNIT_CASE(v4_types),
	{}
};

static struct kunit_suite idm_sacl_suite = {
	.name = "idmesh_sacl",
	.test_cases = idm_sacl_cases,
};

kunit_test_suite(idm_sacl_suite);
