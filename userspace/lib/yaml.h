/* SPDX-License-Identifier: GPL-2.0 */
/*
 * YAML in, the json-c tree out (libyaml), so that an intent in YAML meets
 * the same checks as one in JSON. A stream's documents are all read:
 * never only the first.
 * Scalars are typed as YAML 1.2's core schema types plain ones: null, ~
 * and nothing are null; true and false are booleans; decimal integers are
 * integers; other numbers are doubles; everything else, and every quoted
 * scalar, is a string. Aliases are refused (a small file could expand).
 */
#ifndef IDMESH_YAML_H
#define IDMESH_YAML_H

#include <stddef.h>
#include <json-c/json.h>

/*
 * One document's tree, or NULL with "line L, column C: what" in err, or
 * with "N documents" when the text holds several (an intent is one).
 */
json_object *idm_yaml_parse(const char *text, size_t len, char *err,
			    size_t errlen);
/*
 * Every document of a stream ("---" between them), as an array of their
 * trees in order (empty documents left out); NULL with the reason.
 */
json_object *idm_yaml_parse_stream(const char *text, size_t len, char *err,
				   size_t errlen);

#endif
