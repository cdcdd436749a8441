/* libFuzzer: the gate on an OCI config.json someone else wrote. Invariant:
 * what enforce fixes stays fixed: judged again without fixing, the
 * rewritten config misses exactly the rules enforce could not fix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_file.h"
#include "gate/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char err[1024];
	json_object *cfg = json_text_parse((const char *)data, size, "config.json", err, sizeof(err));
	if (!cfg)
		return 0;
	static struct strv none;
	struct gate_want w = { .profile = "fuzz",
			       .uid = 65534,
			       .gid = 65534,
			       .caps = 1ull << 10, /* NET_BIND_SERVICE */
			       .own_net = true,
			       .own_user = true,
			       .memory_max = 512ull << 20,
			       .pids_max = 256,
			       .relaxed = &none,
			       .core = { .set = true, .soft = 0, .hard = 0 },
			       .nofile = { .set = true, .soft = 1024, .hard = 4096 } };
	static struct gate_result r1, r2;
	if (gate_judge(cfg, &w, true, &r1, err, sizeof(err)) == 0) {
		if (gate_judge(cfg, &w, false, &r2, err, sizeof(err)) != 0) {
			fprintf(stderr, "the rewritten config is refused: %s\n", err);
			abort();
		}
		if (r2.unmet != r1.unmet) {
			fprintf(stderr, "enforce left %zu unmet, judged again %zu\n", r1.unmet, r2.unmet);
			for (size_t i = 0; i < r2.n; i++)
				fprintf(stderr, "  %s: %s\n", r2.f[i].rule, r2.f[i].why);
			abort();
		}
	}
	json_object_put(cfg);
	return 0;
}
