// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the Maglev table: every slot filled, equal and weighted
 * shares, determinism, and how few slots move when a backend goes.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/socket.h>

#include "../maglev.c"

#define M 65537

struct mg {
	struct idm_maglev_entry *e;
	u16 *slot;
	u32 *scratch;
	u32 *count;
};

static void mg_alloc(struct kunit *test, struct mg *g, unsigned int n)
{
	g->e = kunit_kcalloc(test, n, sizeof(*g->e), GFP_KERNEL);
	g->slot = kunit_kcalloc(test, M, sizeof(*g->slot), GFP_KERNEL);
	g->scratch = kunit_kcalloc(test, IDM_MAGLEV_SCRATCH(n), sizeof(u32),
				   GFP_KERNEL);
	g->count = kunit_kcalloc(test, n, sizeof(u32), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g->e);
	KUNIT_ASSERT_NOT_NULL(test, g->slot);
	KUNIT_ASSERT_NOT_NULL(test, g->scratch);
	KUNIT_ASSERT_NOT_NULL(test, g->count);
}

/* Backend i: 10.(i >> 8).(i & 255).1 as v4-mapped, port 80, weight w. */
static void mg_backend(struct idm_maglev_entry *e, unsigned int i, u32 m,
		       u32 w)
{
	u8 a[16] = { [10] = 0xff, [11] = 0xff, [12] = 10 };

	a[13] = i >> 8;
	a[14] = i & 0xff;
	a[15] = 1;
	idm_maglev_permutation(a, htons(80), AF_INET, m, e);
	e->weight = w;
}

static void mg_count(struct kunit *test, struct mg *g, unsigned int n)
{
	u32 s;

	memset(g->count, 0, n * sizeof(u32));
	for (s = 0; s < M; s++) {
		KUNIT_ASSERT_LT(test, (u32)g->slot[s], n);
		g->count[g->slot[s]]++;
	}
}

static void primes(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, idm_is_prime(2));
	KUNIT_EXPECT_TRUE(test, idm_is_prime(3));
	KUNIT_EXPECT_TRUE(test, idm_is_prime(65537));
	KUNIT_EXPECT_TRUE(test, idm_is_prime(1000003));
	KUNIT_EXPECT_FALSE(test, idm_is_prime(0));
	KUNIT_EXPECT_FALSE(test, idm_is_prime(1));
	KUNIT_EXPECT_FALSE(test, idm_is_prime(9));
	KUNIT_EXPECT_FALSE(test, idm_is_prime(65536));
	KUNIT_EXPECT_FALSE(test, idm_is_prime(1000001));	/* 101 * 9901 */
	KUNIT_EXPECT_FALSE(test, idm_is_prime(4294967295U));
}

static void permutation_in_range(struct kunit *test)
{
	/* mg_backend()'s address of backend 1. */
	static const u8 addr81[16] = { [10] = 0xff, [11] = 0xff, [12] = 10,
				       [14] = 1, [15] = 1 };
	struct idm_maglev_entry a, b;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		mg_backend(&a, i, 7, 1);
		KUNIT_EXPECT_LT(test, a.offset, 7U);
		KUNIT_EXPECT_GE(test, a.skip, 1U);
		KUNIT_EXPECT_LT(test, a.skip, 7U);
	}
	/* The port is part of a backend's name. */
	mg_backend(&a, 1, M, 1);
	idm_maglev_permutation(addr81, htons(81), AF_INET, M, &b);
	KUNIT_EXPECT_TRUE(test, a.offset != b.offset || a.skip != b.skip);
}

static void every_slot_filled(struct kunit *test)
{
	struct mg g;
	unsigned int i;

	mg_alloc(test, &g, 7);
	for (i = 0; i < 7; i++)
		mg_backend(&g.e[i], i, M, 1);
	KUNIT_EXPECT_EQ(test, idm_maglev_populate(g.e, 7, M, g.slot, g.scratch), 7U);
	mg_count(test, &g, 7);
}

static void equal_weights_equal_shares(struct kunit *test)
{
	static const unsigned int ns[] = { 1, 2, 3, 10, 100, 1000 };
	unsigned int k, i;
	struct mg g;

	mg_alloc(test, &g, 1000);
	for (k = 0; k < ARRAY_SIZE(ns); k++) {
		unsigned int n = ns[k];

		for (i = 0; i < n; i++)
			mg_backend(&g.e[i], i, M, 1);
		idm_maglev_populate(g.e, n, M, g.slot, g.scratch);
		mg_count(test, &g, n);
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_GE_MSG(test, g.count[i], M / n,
					    "N=%u backend %u", n, i);
			KUNIT_EXPECT_LE_MSG(test, g.count[i], DIV_ROUND_UP(M, n),
					    "N=%u backend %u", n, i);
		}
	}
}

static void weighted_shares(struct kunit *test)
{
	static const u32 w[] = { 1, 2, 3, 5, 10, 100, 0, 7 };
	const unsigned int n = ARRAY_SIZE(w);
	u64 sum = 0;
	unsigned int i;
	struct mg g;

	mg_alloc(test, &g, n);
	for (i = 0; i < n; i++) {
		mg_backend(&g.e[i], i, M, w[i]);
		sum += w[i];
	}
	/* A weight-0 backend is drained: not placed. */
	KUNIT_EXPECT_EQ(test, idm_maglev_populate(g.e, n, M, g.slot, g.scratch), n - 1);
	mg_count(test, &g, n);
	for (i = 0; i < n; i++) {
		/* Within 1% of M * w / sum (times 100 to stay in integers). */
		u64 want100 = div64_u64((u64)M * w[i] * 100, sum);
		u64 got100 = (u64)g.count[i] * 100;
		u64 diff = got100 > want100 ? got100 - want100 : want100 - got100;

		KUNIT_EXPECT_LE_MSG(test, diff * 100, want100,
				    "weight %u: %u slots, want %llu.%02llu",
				    w[i], g.count[i], want100 / 100,
				    want100 % 100);
	}
}

static void all_drained_is_empty(struct kunit *test)
{
	struct mg g;
	u32 s;

	mg_alloc(test, &g, 3);
	mg_backend(&g.e[0], 0, M, 0);
	mg_backend(&g.e[1], 1, M, 0);
	mg_backend(&g.e[2], 2, M, 0);
	KUNIT_EXPECT_EQ(test, idm_maglev_populate(g.e, 3, M, g.slot, g.scratch), 0U);
	for (s = 0; s < M; s++)
		if (g.slot[s] != IDM_MAGLEV_EMPTY)
			KUNIT_FAIL(test, "slot %u owned by %u", s, g.slot[s]);
}

static void same_inputs_same_table(struct kunit *test)
{
	struct mg a, b;
	unsigned int i;

	mg_alloc(test, &a, 50);
	mg_alloc(test, &b, 50);
	for (i = 0; i < 50; i++) {
		mg_backend(&a.e[i], i, M, 1 + i % 3);
		mg_backend(&b.e[i], i, M, 1 + i % 3);
	}
	idm_maglev_populate(a.e, 50, M, a.slot, a.scratch);
	idm_maglev_populate(b.e, 50, M, b.slot, b.scratch);
	KUNIT_EXPECT_EQ(test, memcmp(a.slot, b.slot, M * sizeof(u16)), 0);
}

/*
 * Remove backend k of n: of the slots that did not belong to k, fewer
 * than 1% may change owner (modulo-n hashing would move nearly all).
 */
static void removal_moves_few(struct kunit *test)
{
	static const unsigned int ns[] = { 10, 100, 1000 };
	unsigned int t, i;
	struct mg a, b;

	mg_alloc(test, &a, 1000);
	mg_alloc(test, &b, 1000);
	for (t = 0; t < ARRAY_SIZE(ns); t++) {
		unsigned int n = ns[t], k = n / 3, moved = 0, kept = 0;
		u32 s;

		for (i = 0; i < n; i++)
			mg_backend(&a.e[i], i, M, 1);
		for (i = 0; i + 1 < n; i++)
			b.e[i] = a.e[i < k ? i : i + 1];
		idm_maglev_populate(a.e, n, M, a.slot, a.scratch);
		idm_maglev_populate(b.e, n - 1, M, b.slot, b.scratch);
		for (s = 0; s < M; s++) {
			unsigned int after = b.slot[s] < k ? b.slot[s] :
					     b.slot[s] + 1;

			if (a.slot[s] == k)
				continue;
			kept++;
			if (after != a.slot[s])
				moved++;
		}
		kunit_info(test, "N=%u: %u of %u other slots moved (%u.%02u%%)\n",
			   n, moved, kept, moved * 100 / kept,
			   (moved * 10000 / kept) % 100);
		KUNIT_EXPECT_LT_MSG(test, moved * 100, kept,
				    "N=%u moved %u of %u", n, moved, kept);
	}
}

/*
 * The skewed case that walked rounds one by one for ~4e9 steps: 4096
 * backends, one of weight 65535 and the rest 1, M = 1,000,003. The heap
 * places each slot once; every slot is filled, in proportion.
 */
static void skewed_weights_bounded(struct kunit *test)
{
	const unsigned int n = 4096;
	const u32 m = 1000003;
	struct idm_maglev_entry *e;
	u32 *scratch, s, first = 0;
	u16 *slot;
	unsigned int i;

	e = kunit_kcalloc(test, n, sizeof(*e), GFP_KERNEL);
	scratch = kunit_kcalloc(test, IDM_MAGLEV_SCRATCH(n), sizeof(u32),
				GFP_KERNEL);
	slot = kvmalloc_array(m, sizeof(*slot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	for (i = 0; i < n; i++)
		mg_backend(&e[i], i, m, i ? 1 : 65535);
	KUNIT_EXPECT_EQ(test, idm_maglev_populate(e, n, m, slot, scratch), n);
	for (s = 0; s < m; s++) {
		if (slot[s] >= n) {
			KUNIT_FAIL(test, "slot %u empty or out of range", s);
			break;
		}
		first += slot[s] == 0;
	}
	/* 65535 / (65535 + 4095) of the slots, within 1 %. */
	KUNIT_EXPECT_GT(test, first, (u32)((u64)m * 65535 / 69630 * 99 / 100));
	KUNIT_EXPECT_LT(test, first, (u32)((u64)m * 65535 / 69630 * 101 / 100));
	kvfree(slot);
}

static struct kunit_case idm_maglev_cases[] = {
	KUNIT_CASE(primes),
	KUNIT_CASE(permutation_in_range),
	KUNIT_CASE(every_slot_filled),
	KUNIT_CASE(equal_weights_equal_shares),
	KUNIT_CASE(weighted_shares),
	KUNIT_CASE(all_drained_is_empty),
	KUNIT_CASE(same_inputs_same_table),
	KUNIT_CASE(removal_moves_few),
	KUNIT_CASE(skewed_weights_bounded),
	{}
};

static struct kunit_suite idm_maglev_suite = {
	.name = "idmesh_maglev",
	.test_cases = idm_maglev_cases,
};

kunit_test_suite(idm_maglev_suite);
