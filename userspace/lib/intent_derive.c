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
			v[i].bits = idm_field_hash(in->key, fd->key, v[i].value) >>
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

int idm_intent_derive(struct idm_intent *in, char *err, size_t errlen)
{
	struct ctx c = { .file = in->file, .err = err, .errlen = errlen };
	size_t i, *order;
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
			s->id = idm_service_id(in, &s->labels);
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
	return idm_intent_derive_rules(&c, in);
}

int idm_intent_load(const char *file, struct idm_intent *in, char *err,
		    size_t errlen)
{
	char *text;
	size_t len;
	int ret;

	text = idm_read_file(file, &len);
	if (!text) {
		memset(in, 0, sizeof(*in));
		snprintf(err, errlen, "cannot read \"%s\": %s", file, strerror(errno));
		return -1;
	}
	ret = idm_intent_parse(strcmp(file, "-") ? file : "<stdin>", text, len,
			       in, err, errlen);
	free(text);
	return ret ? ret : idm_intent_derive(in, err, errlen);
}

void idm_intent_free(struct idm_intent *in)
{
	size_t i;

	idm_intent_free_policies(in);
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
	for (i = 0; i < in->nservices; i++) {
		idm_labels_free(&in->services[i].labels);
		free(in->services[i].name);
	}
	free(in->services);
	for (i = 0; i < in->nrules; i++) {
		free(in->rules[i].c.name);
		free(in->rules[i].s.name);
		free(in->rules[i].from);
	}
	free(in->rules);
	idm_intent_free_vips(in);
	idm_intent_free_links(in);
	free(in->masq.v);
	free(in->raw);
	memset(in, 0, sizeof(*in));
}
