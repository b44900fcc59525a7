// SPDX-License-Identifier: GPL-2.0
/*
 * SACL IDs from labels (Acila §4.1, §8.1): a Service's, keyed hashes of
 * its labels, with structured fields' bits on top. See
 * Documentation/identity.rst.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intent.h"
#include "intent_impl.h"
#include "siphash.h"

/* Length-prefixed, so that no two label sets encode alike. */
static size_t enc_put(uint8_t **buf, size_t n, const char *s, uint32_t len)
{
	*buf = xrealloc(*buf, n + 4 + len, 1);
	(*buf)[n] = len >> 24;
	(*buf)[n + 1] = len >> 16;
	(*buf)[n + 2] = len >> 8;
	(*buf)[n + 3] = len;
	if (len)
		memcpy(*buf + n + 4, s, len);
	return n + 4 + len;
}

static uint64_t labels_hash(const uint8_t *key, const struct idm_labels *l)
{
	uint8_t *buf = NULL;
	size_t n = 0, i;
	uint64_t h;

	n = enc_put(&buf, n, "service", 7);
	for (i = 0; i < l->n; i++) {
		n = enc_put(&buf, n, l->v[i].key, strlen(l->v[i].key));
		n = enc_put(&buf, n, l->v[i].value, strlen(l->v[i].value));
	}
	h = idm_siphash(key, buf, n);
	free(buf);
	return h;
}

uint64_t idm_field_hash(const uint8_t *key, const char *lkey, const char *value)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	uint64_t h;

	n = enc_put(&buf, n, "field", 5);
	n = enc_put(&buf, n, lkey, strlen(lkey));
	if (value)
		n = enc_put(&buf, n, value, strlen(value));
	h = idm_siphash(key, buf, n);
	free(buf);
	return h;
}

uint64_t idm_service_id(const struct idm_intent *in, const struct idm_labels *l)
{
	unsigned int used = 0, bits;
	uint64_t id = 0, h;
	size_t i;

	for (i = 0; i < in->nfields; i++) {
		bits = in->fields[i].bits;
		h = idm_field_hash(in->key, in->fields[i].key,
				   idm_label_get(l, in->fields[i].key));
		id |= (h >> (64 - bits)) << (64 - used - bits);
		used += bits;
	}
	h = labels_hash(in->key, l);
	if (used)
		h &= ~0ull >> used;
	return id | h;
}
