/* JSON files read by husk (Docker/Podman seccomp profiles; OCI config.json
 * later), parsed with json-c's tokener so that an error says where: the
 * file, the line and the column, and what json-c found there. */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

/* Parses the whole of text (len bytes) as one JSON value; name is what
 * errors call it. NULL with "NAME:LINE:COL: REASON" in err on failure,
 * trailing non-blank text included. */
json_object *json_text_parse(const char *text, size_t len, const char *name, char *err,
			     size_t errlen);

/* Reads path (at most 16 MiB) and parses it as json_text_parse does. */
json_object *json_file_parse(const char *path, char *err, size_t errlen);
