// SPDX-License-Identifier: GPL-2.0
/*
 * The reference of "make bench-maglev": the module's own table build
 * (kmod/maglev.c, compiled for userspace with selftests/bench/ushim), timed
 * in the same guest, so that the module's build time can be printed as a
 * ratio to the algorithm alone. What the module adds on top (allocation,
 * backend walk, publication) is what the ratio shows.
 *
 *   maglev-ref time M N REPS   median build time in ns: allocation,
 *                              permutations and population, as the module
 *   maglev-ref table M N       the table, one owner index per line
 *
 * The backends are the benchmark's: 10.201.(i / 250).(i % 250 + 1), no
 * port, IPv4, weight 1, in address order (the module's index order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../kmod/maglev.h"

#define AF_INET_ 2

static void backend(unsigned int i, u32 m, struct idm_maglev_entry *e)
{
	u8 a[16] = { [10] = 0xff, [11] = 0xff, [12] = 10, [13] = 201 };

	a[14] = i / 250;
	a[15] = i % 250 + 1;
	idm_maglev_permutation(a, 0, AF_INET_, m, e);
	e->weight = 1;
}

/* One build as the module makes it; the table, or NULL. */
static u16 *build(u32 m, unsigned int n)
{
	struct idm_maglev_entry *e = calloc(n, sizeof(*e));
	u32 *scratch = calloc(IDM_MAGLEV_SCRATCH((size_t)n), sizeof(*scratch));
	u16 *slot = malloc(m * sizeof(*slot));
	unsigned int i;

	if (!e || !scratch || !slot) {
		free(slot);
		slot = NULL;
		goto out;
	}
	for (i = 0; i < n; i++)
		backend(i, m, &e[i]);
	idm_maglev_populate(e, n, m, slot, scratch);
out:
	free(scratch);
	free(e);
	return slot;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long m, n, reps = 1, r;
	long long *t;
	u16 *slot;

	if (argc < 4 || (strcmp(argv[1], "time") && strcmp(argv[1], "table")))
		goto usage;
	m = strtoul(argv[2], NULL, 10);
	n = strtoul(argv[3], NULL, 10);
	if (!strcmp(argv[1], "time")) {
		if (argc != 5)
			goto usage;
		reps = strtoul(argv[4], NULL, 10);
	}
	if (!idm_is_prime(m) || m > 1000003 || !n || n >= IDM_MAGLEV_EMPTY ||
	    n > m || !reps || reps > 1000) {
		fprintf(stderr, "maglev-ref: M must be a prime up to 1000003, 0 < N <= M, 0 < REPS <= 1000\n");
		return 2;
	}
	if (!strcmp(argv[1], "table")) {
		slot = build(m, n);
		if (!slot)
			return 1;
		for (r = 0; r < m; r++)
			printf("%u\n", slot[r]);
		free(slot);
		return 0;
	}
	t = calloc(reps, sizeof(*t));
	if (!t)
		return 1;
	for (r = 0; r < reps; r++) {
		long long t0 = now_ns();

		slot = build(m, n);
		t[r] = now_ns() - t0;
		if (!slot)
			return 1;
		free(slot);
	}
	qsort(t, reps, sizeof(*t), cmp_ll);
	printf("%lld\n", t[reps / 2]);
	free(t);
	return 0;
usage:
	fprintf(stderr, "usage: maglev-ref time M N REPS | maglev-ref table M N\n");
	return 2;
}
