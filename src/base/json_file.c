#include "base/json_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define JSON_FILE_MAX (16u << 20)

/* 1-based line and column of byte offset at in text. */
static void position(const char *text, size_t at, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

json_object *json_text_parse(const char *text, size_t len, const char *name, char *err,
			     size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		errf(err, errlen, -ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	/* Strict: what Docker's and Podman's Go parsers refuse (trailing
	 * commas, single quotes, comments) is refused here too. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* json-c takes an int length. */
	int n = len > JSON_FILE_MAX ? (int)JSON_FILE_MAX : (int)len;
	json_object *obj = json_tokener_parse_ex(tok, text, n);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	const char *why = NULL;
	if (!obj && e == json_tokener_continue)
		why = "the text ends inside a value";
	else if (!obj)
		why = json_tokener_error_desc(e);
	else {
		while (end < (size_t)n && strchr(" \t\r\n", text[end]))
			end++;
		if (end < (size_t)n)
			why = "more text after the value";
	}
	if (!why)
		return obj;
	json_object_put(obj);
	size_t line, col;
	/* The tokener stops at the character it refused. */
	position(text, end, &line, &col);
	errf(err, errlen, -EINVAL, "%s:%zu:%zu: not valid JSON: %s", name, line, col, why);
	return NULL;
}

json_object *json_file_parse(const char *path, char *err, size_t errlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_capped_file(path, JSON_FILE_MAX, &buf, &len, err, errlen) < 0)
		return NULL;
	return json_text_parse(buf, len, path, err, errlen);
}
