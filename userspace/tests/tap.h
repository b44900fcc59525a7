/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny TAP producer for the tool's host-side unit tests. */
#ifndef IDMESH_TAP_H
#define IDMESH_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...) do {						\
	tap_n++;							\
	if (cond) {							\
		printf("ok %d - ", tap_n);				\
	} else {							\
		tap_failed++;						\
		printf("not ok %d - ", tap_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!(cond))							\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define TAP_STREQ(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	TAP_OK(g_ && !strcmp(g_, w_), __VA_ARGS__);			\
	if (!g_ || strcmp(g_, w_))					\
		printf("#   got  \"%s\"\n#   want \"%s\"\n", g_ ? g_ : "(null)", w_); \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
