// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: from a parsed intent to Services (workloads with the same
 * labels that count), their SACL IDs and the rules between them (Acila
 * §4.1, §5.1, §8.1). See Documentation/identity.rst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "sacl.h"
#include "siphash.h"

bool idm_selects(const struct idm_selector *sel, size_t n,
		 const struct idm_labels *l)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *v = idm_label_get(l, sel[i].key);
		bool in = false;

		for (j = 0; v && j < sel[i].nvalues; j++)
			if (!strcmp(v, sel[i].values[j]))
				in = true;
		/* not_in selects a workload without the key, as Kubernetes does. */
		if (in == sel[i].not_in)
			return false;
	}
	return true;
}

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

/* A structured field's bits: from the label's value, or its absence. */
static uint64_t field_hash(const uint8_t *key, const char *lkey,
			   const char *value)
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

/* The labels that make the workload's Service. */
static void service_labels(const struct idm_intent *in,
			   const struct idm_labels *all, struct idm_labels *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < all->n; i++) {
		if (!idm_is_service_key(in, all->v[i].key))
			continue;
		out->v = xrealloc(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n].key = xstrdup(all->v[i].key);
		out->v[out->n].value = xstrdup(all->v[i].value);
		out->n++;
	}
}

static char *labels_name(const struct idm_labels *l)
{
	size_t i, len = 3;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i].key) + strlen(l->v[i].value) + 2;
	s = xrealloc(NULL, len, 1);
	if (!l->n) {
		strcpy(s, "{}");
		return s;
	}
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, l->v[i].key);
		strcat(s, "=");
		strcat(s, l->v[i].value);
	}
	return s;
}

void idm_labels_free(struct idm_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static uint64_t service_id(const struct idm_intent *in,
			   const struct idm_labels *l)
{
	unsigned int used = 0, bits;
	uint64_t id = 0, h;
	size_t i;

	for (i = 0; i < in->nfields; i++) {
		bits = in->fields[i].bits;
		h = field_hash(in->key, in->fields[i].key,
			       idm_label_get(l, in->fields[i].key));
		id |= (h >> (64 - bits)) << (64 - used - bits);
		used += bits;
	}
	h = labels_hash(in->key, l);
	if (used)
		h &= ~0ull >> used;
	return id | h;
}

static const struct idm_intent *sort_in;
static char *const *sort_names;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(sort_names[*(const size_t *)a], sort_names[*(const size_t *)b]);
}

static int cmp_service_id(const void *a, const void *b)
{
	const struct idm_service *s = &sort_in->services[*(const size_t *)a];
	const struct idm_service *t = &sort_in->services[*(const size_t *)b];

	return cmp_u64(s->id, t->id);
}

/* A structured field's value in a Service, and its bits. */
struct field_val {
	const char *value;	/* NULL: the Service lacks the label */
	uint64_t bits;
};

static int cmp_field_val(const void *a, const void *b)
{
	const struct field_val *x = a, *y = b;

	if (x->bits != y->bits)
		return cmp_u64(x->bits, y->bits);
	if (!x->value || !y->value)
		return !!x->value - !!y->value;
	return strcmp(x->value, y->value);
}

/* Two values of a structured label with the same bits would merge groups. */
static int check_fields(struct idm_intent *in, struct ctx *c)
{
	struct field_val *v;
	size_t f, i;
	int ret = 0;

	size_t n, p, k, j, cap = in->nservices;

	/* The values Services have, and those policies name (groups). */
	for (p = 0; p < in->npolicies; p++)
		for (k = 0; k < 2; k++)
			for (j = 0; j < in->policies[p].nsel[k]; j++)
				cap += in->policies[p].sel[k][j].nvalues;
	v = xrealloc(NULL, cap, sizeof(*v));
	for (f = 0; f < in->nfields && !ret; f++) {
		const struct idm_id_field *fd = &in->fields[f];

		for (n = 0; n < in->nservices; n++)
			v[n].value = idm_label_get(&in->services[n].labels, fd->key);
		for (p = 0; p < in->npolicies; p++)
			for (k = 0; k < 2; k++)
				for (j = 0; j < in->policies[p].nsel[k]; j++) {
					const struct idm_selector *sl = &in->policies[p].sel[k][j];

					if (strcmp(sl->key, fd->key))
						continue;
					for (i = 0; i < sl->nvalues; i++)
						v[n++].value = sl->values[i];
				}
		for (i = 0; i < n; i++)
			v[i].bits = field_hash(in->key, fd->key, v[i].value) >>
				    (64 - fd->bits);
		qsort(v, n, sizeof(*v), cmp_field_val);
		for (i = 1; i < n && !ret; i++) {
			if (v[i].bits != v[i - 1].bits ||
			    !cmp_field_val(&v[i], &v[i - 1]))
				continue;
			ret = idm_intent_fail(c, "ids.structured",
				   "%s=%s and %s=%s get the same %u bits: give \"%s\" more bits or choose another ids.key",
				   fd->key, v[i - 1].value ? v[i - 1].value : "(none)",
				   fd->key, v[i].value ? v[i].value : "(none)",
				   fd->bits, fd->key);
		}
	}
	free(v);
	return ret;
}

static int cmp_side(const struct idm_rule_side *a, const struct idm_rule_side *b)
{
	int d = cmp_u64(a->id, b->id);

	return d ? d : (int)a->bits - (int)b->bits;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct idm_rule *r = a, *s = b;
	int d = cmp_side(&r->c, &s->c);

	if (d)
		return d;
	d = cmp_side(&r->s, &s->s);
	if (d)
		return d;
	return r->policy < s->policy ? -1 : r->policy > s->policy;
}

static bool same_value(const struct idm_rule *a, const struct idm_rule *b)
{
	return a->action == b->action && a->has_priority == b->has_priority &&
	       a->priority == b->priority && a->has_dscp == b->has_dscp &&
	       a->dscp == b->dscp;
}

static void sides_free(struct idm_rule_side *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int field_index(const struct idm_intent *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->nfields; i++)
		if (!strcmp(in->fields[i].key, key))
			return (int)i;
	return -1;
}

/*
 * A side whose selectors are exactly one "in" on each of the first k
 * structured fields selects groups: every combination of their values is
 * one ID prefix, which also covers Services that appear later.
 */
static bool side_is_group(const struct idm_intent *in,
			  const struct idm_selector *sel, size_t nsel,
			  const struct idm_selector **by_field)
{
	size_t i;
	int f;

	if (!nsel || nsel > in->nfields)
		return false;
	memset(by_field, 0, in->nfields * sizeof(*by_field));
	for (i = 0; i < nsel; i++) {
		f = field_index(in, sel[i].key);
		if (f < 0 || sel[i].not_in || (size_t)f >= nsel || by_field[f])
			return false;
		by_field[f] = &sel[i];
	}
	return true;
}

static void side_items(const struct idm_intent *in,
		       const struct idm_selector *sel, size_t nsel,
		       struct idm_rule_side **out, size_t *n)
{
	const struct idm_selector **by_field;
	size_t i, f, combos = 1, *at;

	*out = NULL;
	*n = 0;
	by_field = xrealloc(NULL, in->nfields, sizeof(*by_field));
	if (!in->nfields || !side_is_group(in, sel, nsel, by_field)) {
		for (i = 0; i < in->nservices; i++) {
			if (!idm_selects(sel, nsel, &in->services[i].labels))
				continue;
			*out = xrealloc(*out, *n + 1, sizeof(**out));
			(*out)[*n].id = in->services[i].id;
			(*out)[*n].bits = 64;
			(*out)[(*n)++].name = xstrdup(in->services[i].name);
		}
		free(by_field);
		return;
	}
	for (f = 0; f < nsel; f++)
		combos *= by_field[f]->nvalues;
	at = xrealloc(NULL, nsel, sizeof(*at));
	for (i = 0; i < combos; i++) {
		unsigned int used = 0;
		size_t rest = i, len = 1;
		uint64_t id = 0;
		char *name;

		for (f = 0; f < nsel; f++) {
			at[f] = rest % by_field[f]->nvalues;
			rest /= by_field[f]->nvalues;
			len += strlen(by_field[f]->key) + strlen(by_field[f]->values[at[f]]) + 2;
		}
		name = xrealloc(NULL, len, 1);
		name[0] = '\0';
		for (f = 0; f < nsel; f++) {
			unsigned int bits = in->fields[f].bits;
			uint64_t h = field_hash(in->key, in->fields[f].key,
						by_field[f]->values[at[f]]);

			id |= (h >> (64 - bits)) << (64 - used - bits);
			used += bits;
			if (f)
				strcat(name, ",");
			strcat(name, by_field[f]->key);
			strcat(name, "=");
			strcat(name, by_field[f]->values[at[f]]);
		}
		*out = xrealloc(*out, *n + 1, sizeof(**out));
		(*out)[*n].id = id;
		(*out)[*n].bits = used;
		(*out)[(*n)++].name = name;
	}
	free(at);
	free(by_field);
}

int idm_intent_derive(struct idm_intent *in, char *err, size_t errlen)
{
	struct ctx c = { .file = in->file, .err = err, .errlen = errlen };
	size_t i, j, k, n, *order;
	struct idm_labels l;
	char **names;

	/*
	 * Services: workloads with the same labels (that count) share one;
	 * in the order of their names, whatever the order of the file.
	 */
	names = xrealloc(NULL, in->nworkloads, sizeof(*names));
	order = xrealloc(NULL, in->nworkloads, sizeof(*order));
	for (i = 0; i < in->nworkloads; i++) {
		service_labels(in, &in->workloads[i].labels, &l);
		names[i] = labels_name(&l);
		idm_labels_free(&l);
		order[i] = i;
	}
	sort_names = names;
	qsort(order, in->nworkloads, sizeof(*order), cmp_name);
	for (i = 0; i < in->nworkloads; i++) {
		struct idm_workload *w = &in->workloads[order[i]];
		struct idm_service *s;

		if (!i || strcmp(names[order[i - 1]], names[order[i]])) {
			in->services = xrealloc(in->services, in->nservices + 1,
						sizeof(*in->services));
			s = &in->services[in->nservices++];
			service_labels(in, &w->labels, &s->labels);
			s->name = xstrdup(names[order[i]]);
			s->id = service_id(in, &s->labels);
			s->nworkloads = 0;
		}
		in->services[in->nservices - 1].nworkloads++;
		w->service = in->nservices - 1;
	}
	for (i = 0; i < in->nworkloads; i++)
		free(names[i]);
	free(names);
	free(order);
	if (check_fields(in, &c))
		return -1;
	/* IDs are hashes: a collision is refused, never merged. */
	order = xrealloc(NULL, in->nservices, sizeof(*order));
	for (i = 0; i < in->nservices; i++)
		order[i] = i;
	sort_in = in;
	qsort(order, in->nservices, sizeof(*order), cmp_service_id);
	for (i = 0; i < in->nservices; i++) {
		const struct idm_service *s = &in->services[order[i]];

		if (!s->id) {
			free(order);
			return idm_intent_fail(&c, "", "Service {%s} hashes to the ID 0, which is not an ID: choose another ids.key",
				    s->name);
		}
		if (i && in->services[order[i - 1]].id == s->id) {
			const struct idm_service *t = &in->services[order[i - 1]];

			free(order);
			return idm_intent_fail(&c, "", "Services {%s} and {%s} have the same SACL ID 0x%016" PRIx64 ": choose another ids.key",
				    t->name, s->name, s->id);
		}
	}
	free(order);
	/* Rules: every (client, server) pair a policy selects. */
	for (k = 0; k < in->npolicies; k++) {
		const struct idm_policy *p = &in->policies[k];
		struct idm_rule_side *cs = NULL, *ss = NULL;
		size_t nc = 0, ns = 0;

		side_items(in, p->sel[0], p->nsel[0], &cs, &nc);
		side_items(in, p->sel[1], p->nsel[1], &ss, &ns);
		for (i = 0; i < nc; i++) {
			for (j = 0; j < ns; j++) {
				struct idm_rule *r;

				in->rules = xrealloc(in->rules, in->nrules + 1,
						     sizeof(*in->rules));
				r = &in->rules[in->nrules++];
				r->c = cs[i];
				r->c.name = xstrdup(cs[i].name);
				r->s = ss[j];
				r->s.name = xstrdup(ss[j].name);
				r->policy = k;
				r->action = p->action;
				r->has_priority = p->has_priority;
				r->priority = p->priority;
				r->has_dscp = p->has_dscp;
				r->dscp = p->dscp;
			}
		}
		sides_free(cs, nc);
		sides_free(ss, ns);
	}
	/* Two policies on one pair: the same values merge, others conflict. */
	qsort(in->rules, in->nrules, sizeof(*in->rules), cmp_rule);
	for (i = 0, n = 0; i < in->nrules; i++) {
		if (n && !cmp_side(&in->rules[n - 1].c, &in->rules[i].c) &&
		    !cmp_side(&in->rules[n - 1].s, &in->rules[i].s)) {
			const struct idm_rule *a = &in->rules[n - 1], *b = &in->rules[i];

			if (!same_value(a, b)) {
				idm_intent_fail(&c, "", "policies \"%s\" and \"%s\" both select client {%s} and server {%s} with different actions or priorities",
				     in->policies[a->policy].name,
				     in->policies[b->policy].name, a->c.name, a->s.name);
				for (; i < in->nrules; i++) {
					free(in->rules[i].c.name);
					free(in->rules[i].s.name);
				}
				in->nrules = n;
				return -1;
			}
			free(in->rules[i].c.name);
			free(in->rules[i].s.name);
			continue;
		}
		in->rules[n++] = in->rules[i];
	}
	in->nrules = n;
	return 0;
}

void idm_intent_free(struct idm_intent *in)
{
	size_t i, j, k;

	for (i = 0; i < in->nservice_keys; i++)
		free(in->service_keys[i]);
	free(in->service_keys);
	for (i = 0; i < in->nfields; i++)
		free(in->fields[i].key);
	free(in->fields);
	for (i = 0; i < in->nports; i++)
		free(in->ports[i].dev);
	free(in->ports);
	for (i = 0; i < in->nworkloads; i++) {
		free(in->workloads[i].name);
		free(in->workloads[i].dev);
		idm_labels_free(&in->workloads[i].labels);
	}
	free(in->workloads);
	for (i = 0; i < in->npolicies; i++) {
		struct idm_policy *p = &in->policies[i];

		free(p->name);
		for (k = 0; k < 2; k++) {
			for (j = 0; j < p->nsel[k]; j++) {
				size_t v;

				free(p->sel[k][j].key);
				for (v = 0; v < p->sel[k][j].nvalues; v++)
					free(p->sel[k][j].values[v]);
				free(p->sel[k][j].values);
			}
			free(p->sel[k]);
		}
	}
	free(in->policies);
	for (i = 0; i < in->nservices; i++) {
		idm_labels_free(&in->services[i].labels);
		free(in->services[i].name);
	}
	free(in->services);
	for (i = 0; i < in->nrules; i++) {
		free(in->rules[i].c.name);
		free(in->rules[i].s.name);
	}
	free(in->rules);
	idm_intent_free_vips(in);
	idm_intent_free_links(in);
	free(in->raw);
	memset(in, 0, sizeof(*in));
}
