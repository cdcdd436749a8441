#include "seccomp/seccomp_export.h"

#include <seccomp.h>
#include <string.h>

#include "base/util.h"

static const char *act_name(struct sc_action a)
{
	switch (a.kind) {
	case SC_ALLOW:
		return "SCMP_ACT_ALLOW";
	case SC_LOG:
		return "SCMP_ACT_LOG";
	case SC_ERRNO:
		return "SCMP_ACT_ERRNO";
	case SC_KILL:
		return "SCMP_ACT_KILL_PROCESS";
	}
	return "SCMP_ACT_KILL_PROCESS";
}

static const char *op_name(enum scmp_compare op)
{
	switch (op) {
	case SCMP_CMP_NE:
		return "SCMP_CMP_NE";
	case SCMP_CMP_LT:
		return "SCMP_CMP_LT";
	case SCMP_CMP_LE:
		return "SCMP_CMP_LE";
	case SCMP_CMP_EQ:
		return "SCMP_CMP_EQ";
	case SCMP_CMP_GE:
		return "SCMP_CMP_GE";
	case SCMP_CMP_GT:
		return "SCMP_CMP_GT";
	case SCMP_CMP_MASKED_EQ:
		return "SCMP_CMP_MASKED_EQ";
	default:
		return "SCMP_CMP_EQ";
	}
}

/* libseccomp's architecture token to the name Docker's JSON uses. */
static const char *arch_name(uint32_t arch)
{
	static const struct {
		uint32_t token;
		const char *name;
	} arches[] = {
		{ SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64" }, { SCMP_ARCH_X86, "SCMP_ARCH_X86" },
		{ SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64" }, { SCMP_ARCH_ARM, "SCMP_ARCH_ARM" },
		{ SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64" }, { SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE" },
		{ SCMP_ARCH_S390X, "SCMP_ARCH_S390X" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].token == arch)
			return arches[i].name;
	return NULL;
}

static json_object *rule(const char *name, struct sc_action a, const struct sc_alt *alt)
{
	json_object *r = json_object_new_object();
	json_object *names = json_object_new_array();
	json_object_array_add(names, json_object_new_string(name));
	json_object_object_add(r, "names", names);
	json_object_object_add(r, "action", json_object_new_string(act_name(a)));
	if (a.kind == SC_ERRNO)
		json_object_object_add(r, "errnoRet", json_object_new_int(a.errnum));
	if (alt && alt->n_cmp) {
		json_object *args = json_object_new_array();
		for (unsigned k = 0; k < alt->n_cmp; k++) {
			const struct scmp_arg_cmp *c = &alt->cmp[k];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "index", json_object_new_int((int)c->arg));
			json_object_object_add(o, "value", json_object_new_uint64(c->datum_a));
			json_object_object_add(o, "valueTwo", json_object_new_uint64(c->datum_b));
			json_object_object_add(o, "op", json_object_new_string(op_name(c->op)));
			json_object_array_add(args, o);
		}
		json_object_object_add(r, "args", args);
	}
	return r;
}

json_object *sc_profile_export_oci(const struct sc_profile *p)
{
	json_object *root = json_object_new_object();
	json_object_object_add(root, "defaultAction", json_object_new_string(act_name(p->def)));
	if (p->def.kind == SC_ERRNO)
		json_object_object_add(root, "defaultErrnoRet", json_object_new_int(p->def.errnum));
	json_object *arches = json_object_new_array();
	const char *arch = arch_name(seccomp_arch_native());
	if (arch)
		json_object_array_add(arches, json_object_new_string(arch));
	json_object_object_add(root, "architectures", arches);
	json_object *rules = json_object_new_array();
	/* Allows gathered in one rule, as Docker writes them; then each
	 * syscall's other answer, then its conditional ones (the importer
	 * reads an unconditional rule before the conditions on it). */
	json_object *allow = json_object_new_array();
	for (size_t i = 0; i < p->n_sys; i++) {
		const struct sc_syscall *s = &p->sys[i];
		if (s->has_fallback && s->fallback.kind == SC_ALLOW)
			json_object_array_add(allow, json_object_new_string(s->name));
	}
	if (json_object_array_length(allow)) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "names", allow);
		json_object_object_add(r, "action", json_object_new_string("SCMP_ACT_ALLOW"));
		json_object_array_add(rules, r);
	} else {
		json_object_put(allow);
	}
	for (size_t i = 0; i < p->n_sys; i++) {
		const struct sc_syscall *s = &p->sys[i];
		if (s->has_fallback && s->fallback.kind != SC_ALLOW)
			json_object_array_add(rules, rule(s->name, s->fallback, NULL));
		for (size_t k = 0; k < s->n_alts; k++)
			json_object_array_add(rules, rule(s->name, s->alts[k].act, &s->alts[k]));
	}
	json_object_object_add(root, "syscalls", rules);
	return root;
}
