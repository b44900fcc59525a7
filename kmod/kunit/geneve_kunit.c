// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the remote links' wire format (Geneve header build and
 * parse) and MTU arithmetic.
 */
#include <kunit/test.h>
#include <linux/if_ether.h>

#include "../geneve.c"

static void build_then_parse(struct kunit *test)
{
	struct idm_geneve g;
	u8 buf[IDM_GENEVE_HLEN];

	idm_geneve_build(buf, 0x123456, htons(ETH_P_IPV6));
	KUNIT_ASSERT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g), 0);
	KUNIT_EXPECT_EQ(test, g.id, 0x123456U);
	KUNIT_EXPECT_EQ(test, ntohs(g.proto), ETH_P_IPV6);
	KUNIT_EXPECT_EQ(test, g.hlen, 8U);
}

static void built_bytes_are_rfc8926(struct kunit *test)
{
	static const u8 want[] = { 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x64, 0x00 };
	u8 buf[IDM_GENEVE_HLEN];

	memset(buf, 0xff, sizeof(buf));
	idm_geneve_build(buf, 100, htons(ETH_P_IP));
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
}

static void truncated_is_rejected(struct kunit *test)
{
	struct idm_geneve g;
	u8 buf[IDM_GENEVE_HLEN];
	unsigned int len;

	idm_geneve_build(buf, 7, htons(ETH_P_IP));
	for (len = 0; len < sizeof(buf); len++)
		KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, len, &g), -EINVAL);
}

static void options_are_skipped(struct kunit *test)
{
	struct idm_geneve g;
	u8 buf[IDM_GENEVE_HLEN + 8] = { };

	idm_geneve_build(buf, 9, htons(ETH_P_IP));
	buf[0] = 2;	/* two 4-byte words of non-critical options */
	KUNIT_ASSERT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g), 0);
	KUNIT_EXPECT_EQ(test, g.hlen, 16U);
	KUNIT_EXPECT_EQ(test, g.id, 9U);
	/* ... and must be all there. */
	KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, sizeof(buf) - 1, &g),
			-EINVAL);
}

static void what_we_do_not_carry_is_rejected(struct kunit *test)
{
	struct idm_geneve g;
	u8 buf[IDM_GENEVE_HLEN];

	idm_geneve_build(buf, 1, htons(ETH_P_IP));
	buf[0] = 0x40;		/* version 1 */
	KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g), -EINVAL);

	idm_geneve_build(buf, 1, htons(ETH_P_IP));
	buf[1] = 0x80;		/* OAM (control) packet */
	KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g), -EINVAL);

	idm_geneve_build(buf, 1, htons(ETH_P_IP));
	buf[1] = 0x40;		/* critical options we do not understand */
	KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g), -EINVAL);

	idm_geneve_build(buf, 1, htons(0x6558));	/* Ethernet frames */
	KUNIT_EXPECT_EQ(test, idm_geneve_parse(buf, sizeof(buf), &g),
			-EPROTONOSUPPORT);
}

static void mtu_arithmetic(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, idm_overhead(false), 36U);
	KUNIT_EXPECT_EQ(test, idm_overhead(true), 56U);
	KUNIT_EXPECT_EQ(test, idm_link_mtu(1500, false), 1464);
	KUNIT_EXPECT_EQ(test, idm_link_mtu(1500, true), 1444);
	KUNIT_EXPECT_EQ(test, idm_link_mtu(9000, false), 8964);
	/* The smallest underlay that still leaves IPv4's minimum MTU. */
	KUNIT_EXPECT_EQ(test, idm_link_mtu(36 + 68, false), 68);
	KUNIT_EXPECT_EQ(test, idm_link_mtu(36 + 67, false), -ERANGE);
	KUNIT_EXPECT_EQ(test, idm_link_mtu(0, true), -ERANGE);
}

static struct kunit_case idm_geneve_cases[] = {
	KUNIT_CASE(build_then_parse),
	KUNIT_CASE(built_bytes_are_rfc8926),
	KUNIT_CASE(truncated_is_rejected),
	KUNIT_CASE(options_are_skipped),
	KUNIT_CASE(what_we_do_not_carry_is_rejected),
	KUNIT_CASE(mtu_arithmetic),
	{}
};

static struct kunit_suite idm_geneve_suite = {
	.name = "idmesh_geneve",
	.test_cases = idm_geneve_cases,
};

kunit_test_suite(idm_geneve_suite);
