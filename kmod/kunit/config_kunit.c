// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the namespace-wide replies and requests (config.c):
 * the version reply, the settings reply, the settings request policy and
 * how a request is checked and applied.
 *
 * config.c is compiled into this module: it calls nothing outside
 * itself, so the suite runs without idmesh.ko and without the family.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

#include "../config.c"

static struct idm_net *kunit_in(struct kunit *test, u32 flow_limit)
{
	struct idm_net *in = kunit_kzalloc(test, sizeof(*in), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	in->flows.zone[IDM_ZONE_LB].limit = flow_limit;
	in->flows.zone[IDM_ZONE_SACL].limit = IDMESH_FLOW_LIMIT_DEFAULT;
	in->flows.port_limit = IDMESH_SACL_PORT_FLOW_LIMIT_DEFAULT;
	in->flows.timeout[IDM_TO_TCP_SYN] = IDMESH_TIMEOUT_TCP_SYN_DEFAULT;
	in->flows.timeout[IDM_TO_TCP] = IDMESH_TIMEOUT_TCP_DEFAULT;
	in->flows.timeout[IDM_TO_TCP_FIN] = IDMESH_TIMEOUT_TCP_FIN_DEFAULT;
	in->flows.timeout[IDM_TO_UDP] = IDMESH_TIMEOUT_UDP_DEFAULT;
	in->flows.timeout[IDM_TO_SCTP] = IDMESH_TIMEOUT_SCTP_DEFAULT;
	return in;
}

static struct sk_buff *kunit_attr_skb(struct kunit *test, unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	return skb;
}

static void version_reply_lists_version_and_features(struct kunit *test)
{
	struct sk_buff *skb = kunit_attr_skb(test, NLMSG_GOODSIZE);
	unsigned int nfeat = 0;
	bool seen_version = false;
	struct nlattr *nla;
	int rem;

	KUNIT_ASSERT_EQ(test, idm_fill_version(skb), 0);

	nla_for_each_attr(nla, (struct nlattr *)skb->data, skb->len, rem) {
		switch (nla_type(nla)) {
		case IDMESH_A_VERSION:
			KUNIT_EXPECT_FALSE(test, seen_version);
			KUNIT_EXPECT_STREQ(test, (char *)nla_data(nla),
					   IDM_VERSION);
			seen_version = true;
			break;
		case IDMESH_A_FEATURE:
			KUNIT_ASSERT_LT(test, nfeat, ARRAY_SIZE(idm_features));
			KUNIT_EXPECT_STREQ(test, (char *)nla_data(nla),
					   idm_features[nfeat]);
			nfeat++;
			break;
		default:
			KUNIT_FAIL(test, "unexpected attribute %d", nla_type(nla));
		}
	}
	KUNIT_EXPECT_EQ(test, rem, 0);
	KUNIT_EXPECT_TRUE(test, seen_version);
	KUNIT_EXPECT_EQ(test, nfeat, ARRAY_SIZE(idm_features));
	kfree_skb(skb);
}

static void version_reply_too_small_is_emsgsize(struct kunit *test)
{
	struct sk_buff *skb = kunit_attr_skb(test, NLMSG_GOODSIZE);

	/* Leave room for one attribute header only. */
	skb_put(skb, skb_tailroom(skb) - NLA_HDRLEN);
	KUNIT_EXPECT_EQ(test, idm_fill_version(skb), -EMSGSIZE);
	kfree_skb(skb);
}

static void features_are_unique_and_named(struct kunit *test)
{
	unsigned int i, j;

	KUNIT_EXPECT_GT(test, ARRAY_SIZE(idm_features), 0U);
	for (i = 0; i < ARRAY_SIZE(idm_features); i++) {
		KUNIT_EXPECT_GT(test, strlen(idm_features[i]), 0UL);
		for (j = i + 1; j < ARRAY_SIZE(idm_features); j++)
			KUNIT_EXPECT_STRNEQ(test, idm_features[i],
					    idm_features[j]);
	}
}

/* A request holding one IDMESH_A_FLOW_LIMIT attribute of len bytes. */
struct set_req {
	struct nlattr nla;
	u64 data;
} __packed;

/* Parses req; tb points into req, which must outlive tb's use. */
static int parse_set(struct set_req *req, struct nlattr **tb, u32 value,
		     int len, struct netlink_ext_ack *extack)
{
	memset(req, 0, sizeof(*req));
	req->nla.nla_type = IDMESH_A_FLOW_LIMIT;
	req->nla.nla_len = NLA_HDRLEN + len;
	memcpy(&req->data, &value, sizeof(value));
	return nla_parse(tb, IDMESH_A_MAX, &req->nla,
			 NLA_ALIGN(req->nla.nla_len),
			 idm_config_set_policy, extack);
}

static void set_policy_bounds_flow_limit(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct nlattr *tb[IDMESH_A_MAX + 1];
	struct set_req req;

	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, IDMESH_FLOW_LIMIT_MIN, 4,
					&extack), 0);
	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, IDMESH_FLOW_LIMIT_MAX, 4,
					&extack), 0);
	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, IDMESH_FLOW_LIMIT_MIN - 1, 4,
					&extack), -ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, IDMESH_FLOW_LIMIT_MAX + 1, 4,
					&extack), -ERANGE);
	/* A u32 attribute must be four bytes long, not two or eight. */
	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, 1000, 2, &extack), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_set(&req, tb, 1000, 8, &extack), -EINVAL);
}

static void apply_sets_flow_limit(struct kunit *test)
{
	struct nlattr *tb[IDMESH_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	struct idm_net *in = kunit_in(test, IDMESH_FLOW_LIMIT_DEFAULT);
	struct set_req req;

	mutex_init(&in->lock);
	KUNIT_ASSERT_EQ(test, parse_set(&req, tb, 4096, 4, &extack), 0);
	KUNIT_EXPECT_EQ(test, idm_config_check(tb, &extack), 0);
	mutex_lock(&in->lock);
	idm_config_apply(in, tb);
	mutex_unlock(&in->lock);
	KUNIT_EXPECT_EQ(test, in->flows.zone[IDM_ZONE_LB].limit, 4096U);
	/* Pinned clients follow the flows' limit; SACL's is its own. */
	KUNIT_EXPECT_EQ(test, in->flows.zone[IDM_ZONE_AFFINITY].limit, 4096U);
	KUNIT_EXPECT_EQ(test, in->flows.zone[IDM_ZONE_SACL].limit,
			(u32)IDMESH_FLOW_LIMIT_DEFAULT);
	mutex_destroy(&in->lock);
}

static void apply_empty_request_changes_nothing(struct kunit *test)
{
	struct nlattr *tb[IDMESH_A_MAX + 1] = {};
	struct netlink_ext_ack extack = {};
	struct idm_net *in = kunit_in(test, 777);

	KUNIT_EXPECT_EQ(test, idm_config_check(tb, &extack), -EINVAL);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(extack._msg, "No setting"));
	/* Applied anyway, it changes nothing. */
	mutex_init(&in->lock);
	mutex_lock(&in->lock);
	idm_config_apply(in, tb);
	mutex_unlock(&in->lock);
	KUNIT_EXPECT_EQ(test, in->flows.zone[IDM_ZONE_LB].limit, 777U);
	mutex_destroy(&in->lock);
}

static void config_reply_carries_flow_limit(struct kunit *test)
{
	struct sk_buff *skb = kunit_attr_skb(test, NLMSG_GOODSIZE);
	struct idm_net *in = kunit_in(test, 12345);
	struct nlattr *tb[IDMESH_A_MAX + 1];

	KUNIT_ASSERT_EQ(test, idm_fill_config(skb, in, NULL), 0);
	KUNIT_ASSERT_EQ(test, nla_parse(tb, IDMESH_A_MAX,
					(struct nlattr *)skb->data, skb->len,
					idm_config_set_policy, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[IDMESH_A_FLOW_LIMIT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[IDMESH_A_FLOW_LIMIT]), 12345U);
	/* The SACL connections' budget is reported beside it. */
	KUNIT_ASSERT_NOT_NULL(test, tb[IDMESH_A_SACL_FLOW_LIMIT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[IDMESH_A_SACL_FLOW_LIMIT]),
			IDMESH_FLOW_LIMIT_DEFAULT);
	/* And a port's share of them. */
	KUNIT_ASSERT_NOT_NULL(test, tb[IDMESH_A_SACL_PORT_FLOW_LIMIT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[IDMESH_A_SACL_PORT_FLOW_LIMIT]),
			IDMESH_SACL_PORT_FLOW_LIMIT_DEFAULT);
	KUNIT_ASSERT_NOT_NULL(test, tb[IDMESH_A_TIMEOUT_TCP_FIN]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[IDMESH_A_TIMEOUT_TCP_FIN]),
			(u32)IDMESH_TIMEOUT_TCP_FIN_DEFAULT);
	kfree_skb(skb);
}

static struct kunit_case idm_spine_cases[] = {
	KUNIT_CASE(version_reply_lists_version_and_features),
	KUNIT_CASE(version_reply_too_small_is_emsgsize),
	KUNIT_CASE(features_are_unique_and_named),
	KUNIT_CASE(set_policy_bounds_flow_limit),
	KUNIT_CASE(apply_sets_flow_limit),
	KUNIT_CASE(apply_empty_request_changes_nothing),
	KUNIT_CASE(config_reply_carries_flow_limit),
	{}
};

static struct kunit_suite idm_spine_suite = {
	.name = "idmesh_spine",
	.test_cases = idm_spine_cases,
};

kunit_test_suite(idm_spine_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for idmesh's netlink spine");
